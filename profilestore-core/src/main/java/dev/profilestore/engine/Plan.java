package dev.profilestore.engine;

import dev.profilestore.spi.RecordWrite;

/** What a transform decided to do with the record it was given. */
sealed interface Plan {

    /** Write {@code env}, with {@code dataJson} as its data when not null. */
    record Write(Envelope env, byte[] dataJson, RecordWrite.Versioning versioning) implements Plan {}

    /** Write nothing; {@code why} says what the caller should do instead. */
    record Abort(Object why) implements Plan {}
}

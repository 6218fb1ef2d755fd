package dev.profilestore.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The lines of a JSON-lines file, one JSON value a line, numbered by line; blank lines are passed over. */
public final class JsonLines implements RowSource<JsonNode> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader reader;
    private long line;

    private JsonLines(BufferedReader reader) {
        this.reader = reader;
    }

    /**
     * Opens a file.
     *
     * @param file a UTF-8 file of JSON lines
     * @return its rows
     * @throws IOException when it cannot be opened
     */
    public static JsonLines open(Path file) throws IOException {
        return new JsonLines(Files.newBufferedReader(file, StandardCharsets.UTF_8));
    }

    /**
     * Reads from a reader the caller opened; closing the source closes it.
     *
     * @param reader the text
     * @return its rows
     */
    public static JsonLines of(BufferedReader reader) {
        return new JsonLines(reader);
    }

    @Override
    public JsonNode next() throws BadRowException {
        String text;
        try {
            do {
                text = reader.readLine();
                if (text == null) {
                    return null;
                }
                line++;
            } while (text.isBlank());
        } catch (IOException e) {
            throw new UncheckedIOException("reading line " + (line + 1) + " failed", e);
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            throw new BadRowException("not JSON: " + (m == null ? e.getClass().getSimpleName() : m));
        }
    }

    @Override
    public long position() {
        return line;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // Nothing was written through it.
        }
    }
}

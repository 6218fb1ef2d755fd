package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CriticalStateTest {

    private static final long S = 1_000_000_000L;

    @Test
    void fiveErrorsWithinTheWindow_enter_andItEndsAfterTheExpiryOnceTheCountDrops() {
        var state = new CriticalState(5, 120 * S, 120 * S);
        for (int i = 0; i < 4; i++) {
            assertThat(state.recordError(i * S)).isNull();
        }
        assertThat(state.recordError(4 * S)).isTrue();
        assertThat(state.update(100 * S)).isNull();
        assertThat(state.update(130 * S)).as("errors expired; 120 s since the count stood at 5 not yet over").isNull();
        assertThat(state.update(245 * S)).isFalse();
        assertThat(state.isCritical()).isFalse();
    }

    @Test
    void errorsSpreadWiderThanTheWindow_neverEnter() {
        var state = new CriticalState(5, 120 * S, 120 * S);
        for (int i = 0; i < 20; i++) {
            assertThat(state.recordError(i * 31 * S)).isNull();
        }
        assertThat(state.isCritical()).isFalse();
    }
}

package io.convscope.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A job's cancellation stops its own thread at the next step boundary and no other. */
class InterruptsCancelTest {
    @Test
    void cancelWhenStopsOnlyThisThread() throws InterruptedException {
        AtomicBoolean cancelled = new AtomicBoolean();
        Interrupts.cancelWhen(cancelled::get);
        try {
            assertDoesNotThrow(Interrupts::check);
            cancelled.set(true);
            AtomicReference<Throwable> other = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    Interrupts.check();
                } catch (Throwable e) {
                    other.set(e);
                }
            });
            t.start();
            t.join();
            assertNull(other.get(), "another thread is not cancelled");
            assertThrows(Interrupts.Cancelled.class, Interrupts::check);
        } finally {
            Interrupts.cancelWhen(null);
        }
        assertDoesNotThrow(Interrupts::check);
    }
}

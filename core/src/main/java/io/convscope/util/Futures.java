package io.convscope.util;

import io.convscope.ConvscopeException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work done on another thread, with its failure thrown as the task threw it. */
public final class Futures {
    private Futures() {
    }

    /**
     * The task's result; a {@link RuntimeException} or {@link Error} the task threw is thrown as it was
     * (any other cause wrapped in an {@link IllegalStateException}); an interrupt while waiting keeps the
     * thread's interrupt flag and ends in a {@link ConvscopeException}.
     */
    public static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvscopeException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }
}

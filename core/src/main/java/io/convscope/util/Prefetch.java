package io.convscope.util;


import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Items {@code 0 … count-1} computed on worker threads a bounded number ahead of the caller, handed
 * out in index order: decoding images while the engine computes the previous batch.
 *
 * <p>At most {@code window} items are computed or waiting at any time, so memory stays bounded
 * whatever {@code count}. A task's exception reaches the caller from {@link #next} for that item, as
 * it was thrown (a {@link RuntimeException} or {@link Error} unchanged, a checked one wrapped), so
 * the first failing item in order is the one reported, as a loop would report it. With
 * {@code threads} 0 nothing runs ahead: {@link #next} computes the item on the calling thread (the
 * sequential reference). {@link #close} stops the workers (daemon threads: they never keep the
 * process alive) and drops what was computed ahead.
 *
 * @param <T> the item type
 */
public final class Prefetch<T> implements AutoCloseable {
    /** Computes item {@code index}. */
    @FunctionalInterface
    public interface Task<T> {
        T compute(int index) throws Exception;
    }

    private final Task<T> task;
    private final int count;
    private final int window;
    private final ExecutorService pool;
    private final ArrayDeque<Future<T>> pending = new ArrayDeque<>();
    private int submitted;
    private int taken;

    /**
     * Starts computing the first {@code window} items at once.
     *
     * @param count   how many items
     * @param threads worker threads (0: none, compute on the caller's thread in {@link #next})
     * @param window  how many items may be computed ahead (at least 1)
     * @param name    the workers' thread name prefix
     */
    public Prefetch(int count, int threads, int window, String name, Task<T> task) {
        if (count < 0 || threads < 0) {
            throw new IllegalArgumentException("count " + count + ", threads " + threads);
        }
        this.task = task;
        this.count = count;
        this.window = Math.max(1, window);
        if (threads == 0 || count == 0) {
            this.pool = null;
        } else {
            AtomicInteger made = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, name + "-" + made.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(Math.min(threads, count), tf);
            fill();
        }
    }

    /** Whether items remain. */
    public boolean hasNext() {
        return taken < count;
    }

    /** The next item in index order, waiting for it if needed. */
    public T next() {
        if (taken >= count) {
            throw new IllegalStateException("no more items (" + count + ")");
        }
        int index = taken++;
        if (pool == null) {
            return computeHere(index);
        }
        Future<T> f = pending.poll();
        fill();
        try {
            return Futures.get(f);
        } catch (CancellationException e) {
            throw new IllegalStateException("item " + index + " was cancelled", e);
        }
    }

    private T computeHere(int index) {
        try {
            return task.compute(index);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void fill() {
        while (submitted < count && pending.size() < window) {
            int i = submitted++;
            pending.add(pool.submit(() -> task.compute(i)));
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            pending.clear();
        }
    }
}

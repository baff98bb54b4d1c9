package io.convscope.engine;

/**
 * A daemon thread that asks for a garbage collection every millisecond until closed: tests use it to
 * make a collection between a forward and a backward pass likely (native memory freed too early
 * then shows up as changing gradients).
 */
public final class CollectorLoop implements AutoCloseable {
    private final Thread thread;

    private CollectorLoop() {
        thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "convscope-test-gc");
        thread.setDaemon(true);
    }

    /** The loop, running. */
    public static CollectorLoop start() {
        CollectorLoop c = new CollectorLoop();
        c.thread.start();
        return c;
    }

    /** Stops the loop and waits for its thread. */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }
}

package io.convscope.util;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefetchTest {

    /** Items come out in index order whatever order the workers finish them in. */
    @Test
    void handsOutItemsInOrderWhateverTheWorkersTake() throws Exception {
        for (int threads : new int[] {0, 1, 2, 5}) {
            List<Integer> got = new ArrayList<>();
            try (Prefetch<Integer> p = new Prefetch<>(40, threads, 7, "t", i -> {
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                return i * i;
            })) {
                while (p.hasNext()) {
                    got.add(p.next());
                }
                assertThrows(IllegalStateException.class, p::next);
            }
            for (int i = 0; i < 40; i++) {
                assertEquals(i * i, got.get(i), "threads " + threads + ", item " + i);
            }
        }
    }

    /** No more than the window is computed ahead of what the caller took. */
    @Test
    void computesAtMostTheWindowAhead() throws Exception {
        AtomicInteger started = new AtomicInteger();
        int window = 3;
        try (Prefetch<Integer> p = new Prefetch<>(20, 4, window, "t", i -> {
            started.incrementAndGet();
            return i;
        })) {
            Thread.sleep(100); // let the workers run as far as they may
            assertEquals(window, started.get());
            for (int taken = 1; taken <= 10; taken++) {
                p.next();
                Thread.sleep(20);
                assertTrue(started.get() <= taken + window, started.get() + " started after " + taken + " taken");
            }
        }
    }

    /** A failing item fails the caller at that item, with the exception as thrown; earlier items are delivered. */
    @Test
    void theFirstFailingItemInOrderIsReportedAsThrown() {
        for (int threads : new int[] {0, 1, 3}) {
            RuntimeException boom5 = new IllegalArgumentException("item 5");
            try (Prefetch<Integer> p = new Prefetch<>(10, threads, 10, "t", i -> {
                if (i == 8) {
                    throw new IllegalStateException("item 8"); // later, and may finish first: not reported
                }
                if (i == 5) {
                    Thread.sleep(30);
                    throw boom5;
                }
                return i;
            })) {
                for (int i = 0; i < 5; i++) {
                    assertEquals(i, p.next());
                }
                assertSame(boom5, assertThrows(IllegalArgumentException.class, p::next), "threads " + threads);
            }
        }
    }

    /** With no threads the items are computed on the caller's thread, only when asked for. */
    @Test
    void noThreadsComputesOnTheCallersThreadWhenAsked() {
        AtomicInteger calls = new AtomicInteger();
        List<String> threads = new ArrayList<>();
        try (Prefetch<Integer> p = new Prefetch<>(3, 0, 5, "t", i -> {
            calls.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return i;
        })) {
            assertEquals(0, calls.get());
            p.next();
            assertEquals(1, calls.get());
        }
        assertEquals(List.of(Thread.currentThread().getName()), threads);
    }

    /** Workers are daemon threads named after the prefix, and close stops them. */
    @Test
    void workersAreNamedDaemonsAndCloseStopsThem() throws Exception {
        List<Thread> seen = new ArrayList<>();
        Prefetch<Integer> p = new Prefetch<>(2, 2, 2, "feed", i -> {
            synchronized (seen) {
                seen.add(Thread.currentThread());
            }
            if (i == 1) {
                Thread.sleep(60_000); // interrupted by close
            }
            return i;
        });
        assertEquals(0, p.next());
        p.close();
        Thread.sleep(200);
        synchronized (seen) {
            assertFalse(seen.isEmpty());
            for (Thread t : seen) {
                assertTrue(t.isDaemon());
                assertTrue(t.getName().startsWith("feed-"), t.getName());
                assertFalse(t.isAlive() && t.getState() == Thread.State.TIMED_WAITING, "still sleeping after close");
            }
        }
    }
}

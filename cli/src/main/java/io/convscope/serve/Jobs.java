package io.convscope.serve;

import io.convscope.ConvscopeException;
import io.convscope.util.Interrupts;
import io.convscope.util.Progress;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Long work (feature visualization, slow attributions such as occlusion) as jobs on a small pool of
 * their own, so that they never block the quick views. A job's progress is read by the page through
 * server-sent events; cancelling it makes the job's thread stop at its next step boundary
 * ({@link Interrupts#check}: each layer of a forward pass, each optimisation step), where the
 * try-with-resources of the core close its native memory.
 */
final class Jobs implements AutoCloseable {
    /** The states a job passes through. */
    enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

    /** One job: what it is, its progress, and its result (a PNG) or message. */
    static final class Job {
        final String id;
        final String what;
        volatile State state = State.QUEUED;
        volatile long done;
        volatile long total;
        volatile String status = "";
        volatile String message = "";
        volatile byte[] result;
        volatile boolean cancelRequested;
        volatile Future<?> future;
        final long started = System.nanoTime();

        Job(String id, String what) {
            this.id = id;
            this.what = what;
        }

        boolean finished() {
            State s = state;
            return s == State.DONE || s == State.FAILED || s == State.CANCELLED;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("what", what);
            m.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
            m.put("done", done);
            m.put("total", total);
            long t = total;
            m.put("percent", t > 0 ? Math.min(100.0, 100.0 * done / t) : 0.0);
            m.put("status", status);
            m.put("message", message);
            m.put("seconds", (System.nanoTime() - started) / 1e9);
            return m;
        }

        Progress progress() {
            return new Progress() {
                @Override
                public void start(String task, long t, Unit unit) {
                    total = t;
                    status = task;
                }

                @Override
                public void advance(long d) {
                    done = d;
                    Interrupts.check();
                }

                @Override
                public void status(String text) {
                    status = text;
                }

                @Override
                public void finish() {
                }
            };
        }
    }

    private final ExecutorService pool;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    Jobs(int threads) {
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "convscope-job");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts {@code work} (given the job's progress, answering a PNG); at most 100 finished jobs are remembered. */
    Job submit(String what, Function<Progress, byte[]> work) {
        Job job = new Job("j" + ids.incrementAndGet(), what);
        forgetOld();
        jobs.put(job.id, job);
        job.future = pool.submit(() -> {
            if (job.cancelRequested) {
                job.state = State.CANCELLED;
                return;
            }
            job.state = State.RUNNING;
            Interrupts.cancelWhen(() -> job.cancelRequested);
            try {
                job.result = work.apply(job.progress());
                job.state = State.DONE;
            } catch (Interrupts.Cancelled e) {
                job.state = State.CANCELLED;
                job.message = "cancelled";
            } catch (ConvscopeException e) {
                job.message = e.getMessage();
                job.state = job.cancelRequested ? State.CANCELLED : State.FAILED;
            } catch (RuntimeException | OutOfMemoryError e) {
                job.message = e instanceof OutOfMemoryError ? "out of memory" : String.valueOf(e.getMessage());
                job.state = job.cancelRequested ? State.CANCELLED : State.FAILED;
            } finally {
                Interrupts.cancelWhen(null);
            }
        });
        return job;
    }

    private void forgetOld() {
        if (jobs.size() > 100) {
            jobs.values().removeIf(Job::finished);
        }
    }

    Job get(String id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new ConvscopeException("no such job: " + id);
        }
        return j;
    }

    /** Asks a job to stop; a queued one never starts. */
    Job cancel(String id) {
        Job j = get(id);
        j.cancelRequested = true;
        if (j.state == State.QUEUED) {
            j.state = State.CANCELLED;
        }
        return j;
    }

    int running() {
        return (int) jobs.values().stream().filter(j -> j.state == State.RUNNING).count();
    }

    @Override
    public void close() {
        jobs.values().forEach(j -> j.cancelRequested = true);
        pool.shutdown();
        try {
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

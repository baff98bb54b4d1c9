package io.convscope.util;

/**
 * Progress of a long task: a download, a training run, an optimisation. The library calls it from the
 * thread that does the work; the command line implements it as a terminal bar; {@link #NONE} reports nothing and {@link PlainProgress} writes one line per task.
 *
 * <p>Calls come in the order {@code start}, any number of {@code advance}, {@code finish}. {@code finish}
 * is called also when the task fails, so that a bar can end its line before the error is printed.
 */
public interface Progress {

    /** What is being counted: decides how amounts and speeds are written. */
    enum Unit {
        /** Amounts are bytes, written as kB/MB/GB. */
        BYTES,
        /** Amounts are plain counts: steps, iterations, batches. */
        STEPS
    }

    /**
     * A task starts.
     *
     * @param what  a short description, e.g. "downloading vgg16 weights" or "epoch 3/10"
     * @param total the amount at which the task is done, or 0 or less when unknown
     * @param unit  what the amounts count
     */
    void start(String what, long total, Unit unit);

    /** The task has done {@code done} units so far (an absolute amount, not an increment). */
    void advance(long done);

    /**
     * A short note shown beside the bar until the next one, e.g. the current loss of an
     * optimisation ("loss 3.21e+01  style 2.90e+01"). Optional: the default ignores it.
     */
    default void status(String text) {
    }

    /** The task has ended, successfully or not. */
    void finish();

    /** Reports nothing. */
    Progress NONE = new Progress() {
        @Override
        public void start(String what, long total, Unit unit) {
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish() {
        }

        @Override
        public String toString() {
            return "Progress.NONE";
        }
    };

    /** {@code p}, or {@link #NONE} when {@code p} is null. */
    static Progress orNone(Progress p) {
        return p == null ? NONE : p;
    }
}

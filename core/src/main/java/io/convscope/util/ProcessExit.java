package io.convscope.util;

/**
 * How the process ends.
 *
 * <p>C's {@code exit}, which the JVM calls last, runs the static destructors of every native library
 * loaded; libtorch's unregister each of its thousands of operators one by one: about 0.1 s of one core
 * after the work is done (profiled: {@code c10::impl::OperatorEntry::deregisterKernel_},
 * {@code c10::Dispatcher::cleanup}), and a crash if a thread is still inside libtorch then. C's
 * {@code _exit} ends the process without them; the kernel frees the memory and closes the files as
 * for any process.
 *
 * <p>{@link #exit} ends that way only when the launcher says nothing needs the JVM's own shutdown
 * ({@value #FAST_PROPERTY}{@code =true}): it leaves it out when Spark runs in the JVM (its hooks stop
 * the cluster and delete its folders), when it builds the class-data archive (written at the JVM's
 * exit) and when the user passes JVM options (an agent or a flight recording may write at exit).
 * {@link #halt} ends that way always: it skips the shutdown hooks anyway.
 */
public final class ProcessExit {
    /** The system property the launcher sets when a fast exit is safe. */
    public static final String FAST_PROPERTY = "convscope.fastExit";
    /** The system property with the process id of the launcher's filter of standard error. */
    public static final String FILTER_PROPERTY = "convscope.stderrFilter";

    private ProcessExit() {
    }

    /**
     * Ends the process with {@code status} once the work is done: standard output and error are
     * flushed first; C's {@code _exit} when {@value #FAST_PROPERTY} is true and the C library can be
     * called (through JNA, which DJL has already loaded), else {@link System#exit}.
     */
    public static void exit(int status) {
        System.out.flush();
        if (Boolean.getBoolean(FAST_PROPERTY)) {
            awaitStderrFilter();
            underscoreExit(status);
        }
        System.err.flush();
        System.exit(status);
    }

    /**
     * The launcher passes this JVM's standard error through a filter process (a child of this one,
     * {@value #FILTER_PROPERTY}): closing standard error ends it once it has written all that came
     * before, and waiting for that (at most half a second) keeps the run's last lines ahead of
     * whatever the shell does next; an exit as fast as C's {@code _exit} could otherwise leave an
     * error line to appear after the next prompt, or after a script read the file it went to.
     */
    static void awaitStderrFilter() {
        String pid = System.getProperty(FILTER_PROPERTY);
        if (pid == null || pid.isEmpty()) {
            return;
        }
        try {
            java.util.Optional<ProcessHandle> filter = ProcessHandle.of(Long.parseLong(pid));
            if (filter.isEmpty()) {
                return;
            }
            System.err.flush();
            System.err.close();
            filter.get().onExit().get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (NumberFormatException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // not ours, or slow: exit anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends the process at once with {@code status}, running no shutdown hooks and no library's
     * destructors (so that a thread still inside libtorch cannot crash on them); standard error is
     * flushed first.
     */
    public static void halt(int status) {
        System.err.flush();
        underscoreExit(status);
        Runtime.getRuntime().halt(status);
    }

    /** C's {@code _exit(status)}; returns only when the C library cannot be reached (then the caller exits the JVM's way). */
    private static void underscoreExit(int status) {
        try {
            com.sun.jna.NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME).getFunction("_exit")
                    .invokeVoid(new Object[] {status});
        } catch (Throwable e) { // JNA's native part missing or refused: the ordinary way
            // nothing to say: the caller exits
        }
    }
}

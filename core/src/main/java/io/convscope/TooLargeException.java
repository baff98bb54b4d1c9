package io.convscope;

/**
 * A run refused before it starts because its memory estimate exceeds a limit. Carries the figures,
 * so that a front end can say it its own way: the estimate, the limit it broke, and the largest
 * image size that fits (0 when none does or the probe has no size to lower).
 */
public final class TooLargeException extends ConvscopeException {
    /** Which memory the estimate exceeds. */
    public enum Limit {
        /** The Java heap ({@code -Xmx}). */
        HEAP,
        /** The machine's physical memory. */
        MEMORY,
        /** The GPU's memory. */
        GPU
    }

    private final long neededBytes;
    private final long limitBytes;
    private final Limit limit;
    private final int suggestedSize;

    public TooLargeException(String message, long neededBytes, long limitBytes, Limit limit, int suggestedSize) {
        super(message);
        this.neededBytes = neededBytes;
        this.limitBytes = limitBytes;
        this.limit = limit;
        this.suggestedSize = suggestedSize;
    }

    /** The estimate that was refused, in bytes (of the memory {@link #limit()} names). */
    public long neededBytes() {
        return neededBytes;
    }

    /** The limit the estimate exceeds, in bytes. */
    public long limitBytes() {
        return limitBytes;
    }

    /** Which limit. */
    public Limit limit() {
        return limit;
    }

    /** The largest size that fits (a side in pixels), or 0 when none does or none applies. */
    public int suggestedSize() {
        return suggestedSize;
    }
}

package io.convscope.explain;

import io.convscope.util.Progress;

/** Progress of one part of a larger task: the part's steps done, counted after the {@code before} steps of the parts before it. */
final class Steps implements Progress {
    private final Progress outer;
    private final long before;

    private Steps(Progress outer, long before) {
        this.outer = outer;
        this.before = before;
    }

    /** A part of {@code outer}'s task that starts after {@code before} steps; its own start and finish are not passed on. */
    static Progress after(Progress outer, long before) {
        return new Steps(outer, before);
    }

    @Override
    public void start(String what, long total, Unit unit) {
    }

    @Override
    public void advance(long done) {
        outer.advance(before + done);
    }

    @Override
    public void status(String text) {
        outer.status(text);
    }

    @Override
    public void finish() {
    }
}

package io.convscope.zoo;

import java.nio.file.Path;

/**
 * A weight file found in a cache, for {@code convscope models}.
 *
 * @param model      the model it belongs to
 * @param includeTop whether it holds the classifier head
 * @param path       where it is
 * @param size       its size in bytes
 * @param location   which cache it is in
 * @param check      what is known about its MD5
 */
public record CachedWeights(ZooModel model, boolean includeTop, Path path, long size, Location location,
                            Check check) {

    /** The cache a file was found in. */
    public enum Location {
        /** Keras's own cache, {@code ~/.keras/models} or {@code $KERAS_HOME/models}; read, never written. */
        KERAS,
        /** convscope's cache, {@code ~/.cache/convscope/weights} or {@code $CONVSCOPE_HOME/weights}. */
        CONVSCOPE
    }

    /** What is known about a cached file's MD5. */
    public enum Check {
        /** Its MD5 was computed (now or since it last changed) and equals the published one. */
        VERIFIED,
        /** Not computed since the file last changed; it will be when the file is first used. */
        UNCHECKED,
        /** Computed and different from the published one: the file will not be used. */
        MISMATCH
    }

    /** Whether the MD5 was checked and matched. */
    public boolean hashChecked() {
        return check == Check.VERIFIED;
    }
}

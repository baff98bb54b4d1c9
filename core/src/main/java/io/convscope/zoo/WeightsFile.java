package io.convscope.zoo;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One published weight file: its name (the name Keras caches it under, in {@code ~/.keras/models/}), its
 * path below the download base URL, the MD5 Keras publishes for it, and its approximate size, which the
 * progress bar uses when the server sends no Content-Length.
 *
 * @param fileName    file name, also the name in Keras's cache and in convscope's cache
 * @param path        path below the base URL, e.g. {@code vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5}
 * @param md5         expected MD5, 32 lower-case hex digits
 * @param approxBytes approximate size in bytes (0 when unknown)
 */
public record WeightsFile(String fileName, String path, String md5, long approxBytes) {
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    public WeightsFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(md5, "md5");
        if (!SAFE_NAME.matcher(fileName).matches() || fileName.startsWith(".")) {
            throw new IllegalArgumentException("unsafe weight file name: " + fileName);
        }
        md5 = md5.toLowerCase(java.util.Locale.ROOT);
        if (!MD5.matcher(md5).matches()) {
            throw new IllegalArgumentException("not an MD5 hex digest: " + md5);
        }
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
    }

    /** The download URL below {@code baseUrl} (with or without a trailing slash). */
    public String url(String baseUrl) {
        return baseUrl.endsWith("/") ? baseUrl + path : baseUrl + "/" + path;
    }
}

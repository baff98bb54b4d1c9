package io.convscope.zoo;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One published weight or model file: its name (the name it is cached under), its path below the
 * download base URL of its origin, the digest its publisher gives for it, and its approximate size,
 * which the progress bar uses when the server sends no Content-Length.
 *
 * <p>The digest is an MD5 (32 hex digits, what Keras publishes for its weight files) or a SHA-256
 * (64 hex digits, what Git LFS records for the ONNX Model Zoo's files); {@link #algorithm()} says which.
 *
 * @param fileName    file name, also the name in Keras's cache and in convscope's cache
 * @param path        path below the base URL, e.g. {@code vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5}
 * @param hash        expected digest, lower-case hex: 32 digits for MD5, 64 for SHA-256
 * @param approxBytes approximate size in bytes (0 when unknown)
 * @param origin      whose layout {@code path} follows, so which base URL it is appended to
 */
public record WeightsFile(String fileName, String path, String hash, long approxBytes, Origin origin) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{32}|[0-9a-f]{64}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** Where a file is published; each origin has its own base URL in a {@link WeightsStore}. */
    public enum Origin {
        /** Keras Applications' bucket (also looked for in Keras's own cache). */
        KERAS,
        /** The ONNX Model Zoo's repository (github.com/onnx/models). */
        ONNX_MODEL_ZOO
    }

    public WeightsFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(origin, "origin");
        if (!SAFE_NAME.matcher(fileName).matches() || fileName.startsWith(".")) {
            throw new IllegalArgumentException("unsafe weight file name: " + fileName);
        }
        hash = hash.toLowerCase(Locale.ROOT);
        if (!HEX.matcher(hash).matches()) {
            throw new IllegalArgumentException("not an MD5 or SHA-256 hex digest: " + hash);
        }
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
    }

    /** A Keras weight file with its published MD5 (or SHA-256). */
    public WeightsFile(String fileName, String path, String hash, long approxBytes) {
        this(fileName, path, hash, approxBytes, Origin.KERAS);
    }

    /** The digest's algorithm as {@link java.security.MessageDigest} names it: {@code MD5} or {@code SHA-256}. */
    public String algorithm() {
        return hash.length() == 32 ? "MD5" : "SHA-256";
    }

    /** The download URL below {@code baseUrl} (with or without a trailing slash). */
    public String url(String baseUrl) {
        return baseUrl.endsWith("/") ? baseUrl + path : baseUrl + "/" + path;
    }
}

package io.convscope;

/**
 * A layer that works only at the model's own input size (a Dense after a Flatten) was asked for at
 * another size. Names the layer and both sizes.
 */
public final class NeedsModelSizeException extends ConvscopeException {
    private final String layer;
    private final int width;
    private final int height;

    public NeedsModelSizeException(String message, String layer, int width, int height, Throwable cause) {
        super(message, cause);
        this.layer = layer;
        this.width = width;
        this.height = height;
    }

    /** The layer that needs the model's own size. */
    public String layer() {
        return layer;
    }

    /** The width that was asked for. */
    public int width() {
        return width;
    }

    /** The height that was asked for. */
    public int height() {
        return height;
    }
}

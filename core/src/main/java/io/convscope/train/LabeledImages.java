package io.convscope.train;

import io.convscope.data.FashionMnist;

/**
 * A labelled image data set as training and evaluation read it: {@code count} images of
 * {@code channels × height × width} pixel values 0–255 (channels-first, in RGB order for colour), each
 * with a class index.
 */
public interface LabeledImages {
    int count();

    int channels();

    int height();

    int width();

    /** Class index of image {@code i}. */
    int label(int i);

    /** Writes the pixel values 0–255 of image {@code i}, channels-first, to {@code dst} from {@code offset}. */
    void pixels(int i, float[] dst, int offset);

    /** The first {@code n} images (all of them when {@code n} is at least the count). */
    default LabeledImages head(int n) {
        if (n >= count()) {
            return this;
        }
        if (n < 0) {
            throw new IllegalArgumentException("negative image count " + n);
        }
        LabeledImages all = this;
        return new LabeledImages() {
            public int count() {
                return n;
            }

            public int channels() {
                return all.channels();
            }

            public int height() {
                return all.height();
            }

            public int width() {
                return all.width();
            }

            public int label(int i) {
                return all.label(i);
            }

            public void pixels(int i, float[] dst, int offset) {
                all.pixels(i, dst, offset);
            }
        };
    }

    /** A Fashion-MNIST split as 1 × 28 × 28 grayscale images. */
    static LabeledImages of(FashionMnist.Split split) {
        return new LabeledImages() {
            public int count() {
                return split.count();
            }

            public int channels() {
                return 1;
            }

            public int height() {
                return FashionMnist.SIDE;
            }

            public int width() {
                return FashionMnist.SIDE;
            }

            public int label(int i) {
                return split.label(i);
            }

            public void pixels(int i, float[] dst, int offset) {
                float[] img = split.image(i);
                System.arraycopy(img, 0, dst, offset, img.length);
            }
        };
    }
}

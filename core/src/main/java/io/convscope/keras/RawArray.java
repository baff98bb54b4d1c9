package io.convscope.keras;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One weight array as a Keras file stores it: Keras layout (HWIO kernels, (in, units) Dense
 * kernels), float values, position 0. {@code name} says where it came from, for error messages.
 */
record RawArray(String name, int[] shape, FloatBuffer data) {

    long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The shape as Keras prints it, e.g. {@code (3, 3, 1, 32)}. */
    String shapeString() {
        return tuple(shape);
    }

    static String tuple(int[] dims) {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        String s = Arrays.toString(dims);
        return "(" + s.substring(1, s.length() - 1) + ")";
    }
}

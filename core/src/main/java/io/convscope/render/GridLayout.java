package io.convscope.render;

/**
 * Where {@code count} equal cells go in a grid of {@code columns} columns: row-major, {@code rows =
 * ceil(count / columns)}, the last row filled from the left. Cell {@code i} is at column
 * {@code i % columns}, row {@code i / columns}; cells are {@code gap} pixels apart.
 *
 * @param count      number of cells (0 or more)
 * @param columns    cells per row (1 or more)
 * @param cellWidth  width of a cell in pixels
 * @param cellHeight height of a cell in pixels
 * @param gap        pixels between neighbouring cells, horizontally and vertically
 */
public record GridLayout(int count, int columns, int cellWidth, int cellHeight, int gap) {

    /** Checks the arguments. */
    public GridLayout {
        if (count < 0 || columns < 1 || cellWidth < 0 || cellHeight < 0 || gap < 0) {
            throw new IllegalArgumentException("grid of " + count + " in " + columns + " columns, cells "
                    + cellWidth + "x" + cellHeight + ", gap " + gap);
        }
    }

    /** A near-square column count for {@code count} cells: {@code ceil(sqrt(count))}, at least 1. */
    public static int columnsFor(int count) {
        int c = (int) Math.ceil(Math.sqrt(count));
        while (c > 1 && (c - 1) * (c - 1) >= count) {
            c--;
        }
        while (c * c < count) {
            c++;
        }
        return Math.max(1, c);
    }

    /** {@code ceil(count / columns)}. */
    public int rows() {
        return (count + columns - 1) / columns;
    }

    /** Column of cell {@code i}. */
    public int column(int i) {
        return i % columns;
    }

    /** Row of cell {@code i}. */
    public int row(int i) {
        return i / columns;
    }

    /** Left edge of cell {@code i}. */
    public int x(int i) {
        check(i);
        return column(i) * (cellWidth + gap);
    }

    /** Top edge of cell {@code i}. */
    public int y(int i) {
        check(i);
        return row(i) * (cellHeight + gap);
    }

    /** Width of the whole grid: the used columns ({@code min(count, columns)}) and gaps between them. */
    public int width() {
        int c = Math.min(count, columns);
        return c == 0 ? 0 : c * cellWidth + (c - 1) * gap;
    }

    /** Height of the whole grid: the rows and the gaps between them. */
    public int height() {
        int r = rows();
        return r == 0 ? 0 : r * cellHeight + (r - 1) * gap;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("cell " + i + " of " + count);
        }
    }
}

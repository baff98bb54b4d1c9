package io.convscope.render;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GridLayoutTest {

    @Test
    void tenTilesInFourColumnsLeaveTheLastRowHalfFull() {
        GridLayout g = new GridLayout(10, 4, 30, 20, 2);
        assertEquals(3, g.rows());
        assertEquals(0, g.x(0));
        assertEquals(0, g.y(0));
        assertEquals(3 * 32, g.x(3));
        assertEquals(0, g.y(3));
        assertEquals(0, g.x(4));
        assertEquals(22, g.y(4));
        assertEquals(32, g.x(9)); // last tile: second column of the third row
        assertEquals(44, g.y(9));
        assertEquals(1, g.column(9));
        assertEquals(2, g.row(9));
        assertEquals(4 * 30 + 3 * 2, g.width());
        assertEquals(3 * 20 + 2 * 2, g.height());
        assertThrows(IndexOutOfBoundsException.class, () -> g.x(10));
    }

    @Test
    void fewerTilesThanColumnsUseOnlyTheirWidth() {
        GridLayout g = new GridLayout(3, 8, 10, 10, 1);
        assertEquals(1, g.rows());
        assertEquals(32, g.width());
        assertEquals(10, g.height());
        GridLayout empty = new GridLayout(0, 4, 10, 10, 1);
        assertEquals(0, empty.rows());
        assertEquals(0, empty.width());
        assertEquals(0, empty.height());
    }

    @Test
    void exactFitFillsEveryRow() {
        GridLayout g = new GridLayout(12, 4, 5, 5, 0);
        assertEquals(3, g.rows());
        assertEquals(15, g.x(11));
        assertEquals(10, g.y(11));
    }

    @Test
    void nearSquareColumns() {
        assertEquals(1, GridLayout.columnsFor(0));
        assertEquals(1, GridLayout.columnsFor(1));
        assertEquals(2, GridLayout.columnsFor(2));
        assertEquals(3, GridLayout.columnsFor(9));
        assertEquals(4, GridLayout.columnsFor(10));
        assertEquals(8, GridLayout.columnsFor(64));
        assertEquals(23, GridLayout.columnsFor(512));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new GridLayout(3, 0, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new GridLayout(-1, 2, 1, 1, 0));
    }
}

package io.convscope.network;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Objects;

/**
 * equals, hashCode and toString over a record's components with arrays compared by their contents,
 * for the layer records that hold arrays (Java's generated methods compare arrays by identity).
 */
final class Records {
    private Records() {
    }

    static boolean equal(Record a, Object b) {
        if (a == b) {
            return true;
        }
        if (b == null || a.getClass() != b.getClass()) {
            return false;
        }
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (!Objects.deepEquals(value(c, a), value(c, (Record) b))) {
                return false;
            }
        }
        return true;
    }

    static int hash(Record r) {
        RecordComponent[] cs = r.getClass().getRecordComponents();
        Object[] values = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) {
            values[i] = value(cs[i], r);
        }
        return Arrays.deepHashCode(values);
    }

    static String string(Record r) {
        StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('[');
        RecordComponent[] cs = r.getClass().getRecordComponents();
        for (int i = 0; i < cs.length; i++) {
            String v = Arrays.deepToString(new Object[] {value(cs[i], r)});
            sb.append(i == 0 ? "" : ", ").append(cs[i].getName()).append('=').append(v, 1, v.length() - 1);
        }
        return sb.append(']').toString();
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }
}

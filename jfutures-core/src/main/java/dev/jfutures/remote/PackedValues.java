package dev.jfutures.remote;

import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Compact wire forms, used by {@link JavaSerializationCodec} inside object streams, for the
 * lists and arrays that {@code map} sends in bulk: a list or an {@code Object[]} whose elements are
 * all {@code Integer}, all {@code Long} or all {@code Double} travels as one primitive array and
 * comes back as the same kind of list or array of boxes. JDK serialization of a thousand boxed
 * Integers costs about ten times more.
 */
final class PackedValues {

    private PackedValues() {
    }

    /** The packed form of {@code obj}, or {@code obj} itself if it does not qualify. */
    static Object pack(Object obj) {
        if (obj.getClass() == ArrayList.class) {
            List<?> list = (List<?>) obj;
            Object packed = packElements(list.toArray());
            return packed != null ? new Packed(packed, true) : obj;
        }
        if (obj.getClass() == Object[].class) {
            Object packed = packElements((Object[]) obj);
            return packed != null ? new Packed(packed, false) : obj;
        }
        return obj;
    }

    private static Object packElements(Object[] a) {
        if (a.length < 8) {
            return null;
        }
        Class<?> kind = a[0] == null ? null : a[0].getClass();
        if (kind != Integer.class && kind != Long.class && kind != Double.class) {
            return null;
        }
        for (Object o : a) {
            if (o == null || o.getClass() != kind) {
                return null;
            }
        }
        if (kind == Integer.class) {
            int[] v = new int[a.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (Integer) a[i];
            }
            return v;
        }
        if (kind == Long.class) {
            long[] v = new long[a.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (Long) a[i];
            }
            return v;
        }
        double[] v = new double[a.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (Double) a[i];
        }
        return v;
    }

    /** A packed list or array; {@code readResolve} gives back the boxed original. */
    static final class Packed implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Object values;
        private final boolean list;

        Packed(Object values, boolean list) {
            this.values = values;
            this.list = list;
        }

        private Object readResolve() throws ObjectStreamException {
            Object[] boxed;
            if (values instanceof int[]) {
                int[] v = (int[]) values;
                boxed = new Object[v.length];
                for (int i = 0; i < v.length; i++) {
                    boxed[i] = v[i];
                }
            } else if (values instanceof long[]) {
                long[] v = (long[]) values;
                boxed = new Object[v.length];
                for (int i = 0; i < v.length; i++) {
                    boxed[i] = v[i];
                }
            } else {
                double[] v = (double[]) values;
                boxed = new Object[v.length];
                for (int i = 0; i < v.length; i++) {
                    boxed[i] = v[i];
                }
            }
            if (!list) {
                return boxed;
            }
            ArrayList<Object> out = new ArrayList<>(boxed.length);
            java.util.Collections.addAll(out, boxed);
            return out;
        }
    }
}

package org.vitarena.spi;

import java.util.List;
import java.util.Map;

/** Typed access to timm constructor arguments parsed from JSON, with timm's defaults supplied by the caller. */
public final class Kwargs {
    private final Map<String, Object> map;

    public Kwargs(Map<String, Object> map) {
        this.map = map;
    }

    public int i(String key, int def) {
        Object v = map.get(key);
        return v == null ? def : ((Number) v).intValue();
    }

    public float f(String key, float def) {
        Object v = map.get(key);
        return v == null ? def : ((Number) v).floatValue();
    }

    public Float fOrNull(String key, Float def) {
        if (!map.containsKey(key)) return def;
        Object v = map.get(key);
        return v == null ? null : ((Number) v).floatValue();
    }

    public boolean b(String key, boolean def) {
        Object v = map.get(key);
        return v == null ? def : (Boolean) v;
    }

    public String s(String key, String def) {
        Object v = map.get(key);
        return v == null ? def : v.toString();
    }

    public int[] ints(String key, int[] def) {
        Object v = map.get(key);
        if (v == null) return def;
        if (v instanceof Number n) return new int[]{n.intValue()};
        List<?> l = (List<?>) v;
        int[] out = new int[l.size()];
        for (int j = 0; j < out.length; j++) out[j] = ((Number) l.get(j)).intValue();
        return out;
    }

    /** Image size as timm takes it: an int or a pair; only square inputs are supported. */
    public int imgSize(int def) {
        int[] s = ints("img_size", new int[]{def});
        if (s.length == 2 && s[0] != s[1]) throw new IllegalArgumentException("only square images are supported, got img_size " + s[0] + "x" + s[1]);
        return s[0];
    }
}

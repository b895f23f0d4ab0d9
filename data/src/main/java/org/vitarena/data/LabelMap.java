package org.vitarena.data;

import java.util.ArrayList;
import java.util.List;

/** Class index to identifier and human-readable name; index = position in the lists. */
public record LabelMap(List<String> ids, List<String> names) {
    public LabelMap {
        if (ids.size() != names.size()) throw new IllegalArgumentException(ids.size() + " ids but " + names.size() + " names");
        ids = List.copyOf(ids);
        names = List.copyOf(names);
    }

    public int size() {
        return ids.size();
    }

    /** One {@code id<TAB>name} line per class; the form stored in caches and checkpoints. */
    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) sb.append(ids.get(i)).append('\t').append(names.get(i)).append('\n');
        return sb.toString();
    }

    public static LabelMap decode(String text) {
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            int tab = line.indexOf('\t');
            if (tab < 0) throw new IllegalArgumentException("malformed label map line: '" + line + "'");
            ids.add(line.substring(0, tab));
            names.add(line.substring(tab + 1));
        }
        return new LabelMap(ids, names);
    }
}

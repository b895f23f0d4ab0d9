package org.vitarena.core.nn;

/** Numbered children ({@code blocks.0}, {@code blocks.1}, ...), like torch.nn.ModuleList. */
public final class ModuleList extends Module {
    private int size;

    public <M extends Module> M add(M m) {
        return child(String.valueOf(size++), m);
    }

    public int size() {
        return size;
    }
}

package org.vitarena.engine;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every model that can be built, found only through {@link ServiceLoader}: providers on the class
 * path, then those of plugin jars. Each entry remembers where it came from ({@code classpath} or a
 * jar's path). Problems (a plugin that fails to load, an SPI version mismatch, a duplicate name) are
 * collected, not thrown, so one bad plugin never hides the other models.
 */
public final class ModelRegistry {
    /** One model variant and where it came from. */
    public record Entry(String model, String family, String source, ModelProvider provider) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<ModelProvider> providers = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /** Providers on the runner's own class path. */
    public static ModelRegistry fromClasspath() {
        ModelRegistry r = new ModelRegistry();
        r.load(ServiceLoader.load(ModelProvider.class, ModelRegistry.class.getClassLoader()), "classpath", null);
        return r;
    }

    /**
     * Providers on the class path, then those of every {@code *.jar} in {@code pluginsDir} (in file-name
     * order), each jar through its own class loader whose parent is the runner's, so a plugin sees the
     * SPI and core of this runner and nothing of other plugins. A missing folder is no error.
     */
    public static ModelRegistry withPlugins(java.nio.file.Path pluginsDir) {
        return withPlugins(pluginsDir, false);
    }

    /**
     * As {@link #withPlugins(java.nio.file.Path)}; with {@code required} (a folder the user named) a missing
     * folder, or a file in its place, is an error rather than an empty plugin set.
     */
    public static ModelRegistry withPlugins(java.nio.file.Path pluginsDir, boolean required) {
        if (required && pluginsDir != null && !java.nio.file.Files.isDirectory(pluginsDir)) {
            throw new IllegalArgumentException("plugins folder " + pluginsDir + (java.nio.file.Files.exists(pluginsDir)
                    ? " is a file, not a folder: name the folder that holds the plugin jars" : " does not exist"));
        }
        ModelRegistry r = fromClasspath();
        if (pluginsDir == null || !java.nio.file.Files.isDirectory(pluginsDir)) return r;
        List<java.nio.file.Path> jars;
        try (var s = java.nio.file.Files.list(pluginsDir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (java.io.IOException e) {
            r.problems.add(pluginsDir + ": cannot list plugins: " + e.getMessage());
            return r;
        }
        for (java.nio.file.Path jar : jars) {
            String source = jar.toAbsolutePath().normalize().toString();
            String notAJar = notAZip(jar);
            if (notAJar != null) {
                r.problems.add(source + ": " + notAJar);
                continue;
            }
            try {
                var loader = new java.net.URLClassLoader("plugin:" + jar.getFileName(), new java.net.URL[]{jar.toUri().toURL()},
                        ModelRegistry.class.getClassLoader());
                int before = r.providers.size();
                r.load(ServiceLoader.load(ModelProvider.class, loader), source, loader);
                if (r.providers.size() == before && r.problems.stream().noneMatch(p -> p.startsWith(source))) {
                    r.problems.add(source + ": no ModelProvider found (is META-INF/services/" + ModelProvider.class.getName() + " in the jar?)");
                }
            } catch (Exception | LinkageError e) {
                r.problems.add(source + ": cannot load plugin: " + rootCause(e));
            }
        }
        return r;
    }

    /** Null when {@code jar} starts as a zip file does, else why it cannot be a plugin jar. */
    private static String notAZip(java.nio.file.Path jar) {
        try (var in = java.nio.file.Files.newInputStream(jar)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) return null;
            return "not a jar (a jar is a zip file; this one starts with other bytes, or is empty): rebuild it or remove it from the plugins folder";
        } catch (java.io.IOException e) {
            return "cannot read the jar: " + e.getMessage();
        }
    }

    /** Registers every provider a loader yields; {@code onlyFrom} restricts to classes of that loader (plugins). */
    void load(ServiceLoader<ModelProvider> loader, String source, ClassLoader onlyFrom) {
        var it = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<ModelProvider> p;
            try {
                if (!it.hasNext()) break;
                p = it.next();
                if (onlyFrom != null && p.type().getClassLoader() != onlyFrom) continue; // a class-path provider seen again
            } catch (Throwable e) {
                problems.add(source + ": a provider could not be loaded: " + rootCause(e));
                continue;
            }
            ModelProvider provider;
            try {
                provider = p.get();
            } catch (Throwable e) {
                problems.add(source + ": provider " + p.type().getName() + " failed to construct: " + rootCause(e));
                continue;
            }
            add(provider, source);
        }
    }

    void add(ModelProvider provider, String source) {
        int v;
        List<String> variants;
        String family;
        try {
            v = provider.spiVersion();
            family = provider.family();
            variants = provider.variants();
        } catch (Throwable e) {
            problems.add(source + ": provider " + provider.getClass().getName() + " failed: " + rootCause(e));
            return;
        }
        if (v != ModelProvider.SPI_VERSION) {
            problems.add(org.vitarena.spi.SpiVersion.mismatchMessage(source, provider.getClass().getName(), v));
            return;
        }
        providers.add(provider);
        for (String variant : variants) {
            Entry prev = entries.get(variant);
            if (prev != null) {
                problems.add("model '" + variant + "' is offered twice: by " + prev.source() + " (" + prev.family() + ") and by "
                        + source + " (" + family + "); keeping the first (class path before plugins, plugins in file-name order)");
                continue;
            }
            entries.put(variant, new Entry(variant, family, source, provider));
        }
    }

    static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.toString();
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public List<ModelProvider> providers() {
        return Collections.unmodifiableList(providers);
    }

    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    public Entry entry(String model) {
        Entry e = entries.get(model);
        if (e == null) {
            String hint = org.vitarena.spi.VariantTable.suggest(model, entries.keySet()).map(m -> "; did you mean '" + m + "'?").orElse("");
            throw new IllegalArgumentException("unknown model '" + model + "'" + hint + " (known: " + String.join(", ", entries.keySet())
                    + "; see `runner list`)");
        }
        return e;
    }

    public VisionModel create(String model, ModelOptions options) {
        return entry(model).provider().create(model, options);
    }
}

package org.vitarena.core.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Chooses the backend tensors are created on. The selection is made once, at start-up, by
 * {@link #select(String, BackendOptions, Consumer)} with a logged reason; until then the CPU
 * backend (the provider named "cpu", found like every other one) is current.
 */
public final class Backends {
    private static volatile Backend current;

    private Backends() {}

    /** The backend new tensors are allocated on. Safe to call from any thread. */
    public static Backend current() {
        Backend b = current;
        return b != null ? b : DefaultCpu.BACKEND;
    }

    public static void use(Backend backend) {
        current = backend;
    }

    /** The CPU backend with default options, opened on first use of {@link #current()}. */
    private static final class DefaultCpu {
        static final Backend BACKEND = open();

        private static Backend open() {
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
                if (p.name().equals("cpu")) return p.create(BackendOptions.defaults());
            }
            throw new IllegalStateException("no 'cpu' backend provider on the class path (core's "
                    + "META-INF/services/" + BackendProvider.class.getName() + " is missing)");
        }
    }

    /** Every provider on the class path, highest rank first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        return list;
    }

    /** {@link #select(String, BackendOptions, Consumer)} with {@link BackendOptions#defaults()}. */
    public static Backend select(String device, Consumer<String> log) {
        return select(device, BackendOptions.defaults(), log);
    }

    /**
     * Selects a backend by name, or the best available one for "auto", opens it with
     * {@code options}, makes it current and returns it. The reason for the choice goes to
     * {@code log} once.
     *
     * @throws IllegalArgumentException for an unknown name or an unavailable backend, listing the known ones
     */
    public static Backend select(String device, BackendOptions options, Consumer<String> log) {
        if (options == null) throw new IllegalArgumentException("options must be given (BackendOptions.defaults() for none)");
        List<BackendProvider> providers = providers();
        if (device == null || device.equals("auto")) {
            List<String> skipped = new ArrayList<>();
            for (BackendProvider p : providers) {
                String why = p.unavailableReason();
                if (why == null) {
                    Backend b = p.create(options);
                    log.accept("device auto: using " + p.name() + " (rank " + p.rank() + ")"
                            + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped)));
                    use(b);
                    return b;
                }
                skipped.add(p.name() + ": " + why);
            }
            throw new IllegalStateException("no backend available: " + String.join("; ", skipped));
        }
        for (BackendProvider p : providers) {
            if (p.name().equals(device)) {
                String why = p.unavailableReason();
                if (why != null) throw new IllegalArgumentException("device '" + device + "' is not available: " + why);
                Backend b = p.create(options);
                log.accept("device " + device + ": using " + p.name());
                use(b);
                return b;
            }
        }
        throw new IllegalArgumentException("unknown device '" + device + "'; known: auto, "
                + providers.stream().map(BackendProvider::name).collect(Collectors.joining(", ")));
    }
}

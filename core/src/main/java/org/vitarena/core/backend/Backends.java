package org.vitarena.core.backend;

import org.vitarena.core.cpu.CpuBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Chooses the backend tensors are created on. The selection is made once, at start-up, by
 * {@link #select(String, Consumer)} with a logged reason; the CPU backend is always available and
 * is the default until something else is selected.
 */
public final class Backends {
    private static volatile Backend current = CpuBackend.INSTANCE;

    private Backends() {}

    /** The backend new tensors are allocated on. */
    public static Backend current() {
        return current;
    }

    public static void use(Backend backend) {
        current = backend;
    }

    /** Every provider on the class path, highest rank first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        return list;
    }

    /**
     * Selects a backend by name, or the best available one for "auto", makes it current and
     * returns it. The reason for the choice goes to {@code log} once.
     *
     * @throws IllegalArgumentException for an unknown name or an unavailable backend, listing the known ones
     */
    public static Backend select(String device, Consumer<String> log) {
        List<BackendProvider> providers = providers();
        if (device == null || device.equals("auto")) {
            List<String> skipped = new ArrayList<>();
            for (BackendProvider p : providers) {
                String why = p.unavailableReason();
                if (why == null) {
                    Backend b = p.create();
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
                Backend b = p.create();
                log.accept("device " + device + ": using " + p.name());
                use(b);
                return b;
            }
        }
        throw new IllegalArgumentException("unknown device '" + device + "'; known: auto, "
                + providers.stream().map(BackendProvider::name).collect(Collectors.joining(", ")));
    }
}

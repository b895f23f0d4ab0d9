package org.vitarena.backend.tornado;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the backend's device tests where there is no Maven (the GPU machine, from
 * {@code gpu-check.sh}): every kernel against the CPU backend ({@link TornadoKernelsTest}) and
 * replayed graphs against eager launches ({@link TornadoGraphsTest}). Exit status 0 only when every
 * test passed and none was skipped. The cuBLAS fallback test expects an OpenCL device: on the CUDA
 * backend it fails by design, saying that library tasks are available there.
 */
public final class DeviceTests {
    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(TornadoKernelsTest.class), selectClass(TornadoGraphsTest.class)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printTo(out);
        s.printFailuresTo(out, 30);
        boolean ok = s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0
                && s.getTestsSkippedCount() + s.getTestsAbortedCount() == 0;
        System.exit(ok ? 0 : 1);
    }
}

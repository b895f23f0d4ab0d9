package org.vitarena.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoaderAndTransformsTest {
    static SyntheticDataset.Splits small;

    @BeforeAll
    static void data() {
        small = SyntheticDataset.generate(4, 12, 3, 11);
    }

    private static List<DataLoader.Batch> all(DataLoader l, int epoch, int start) {
        List<DataLoader.Batch> out = new ArrayList<>();
        try (DataLoader.Epoch it = l.epoch(epoch, start)) {
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }

    private static DataLoader paperLoader(int threads, int size) {
        return DataLoader.builder(small.train()).setBatchSize(8).optAugment(AugmentConfig.paperTrain(size))
                .optShuffle(true).optDropLast(true).optSeed(5).optThreads(threads).build();
    }

    @Test
    void syntheticIsDeterministicAndBalanced() {
        // generated again: the split kept from the first time; rendered anew: the same pixels
        assertSame(small.train(), SyntheticDataset.generate(4, 12, 3, 11).train());
        SyntheticDataset again = SyntheticDataset.build(SyntheticDataset.labelMap(4), SyntheticDataset.Split.TRAIN, 12, 11);
        for (int i = 0; i < again.size(); i++) {
            assertArrayEquals(small.train().loadRgb(i), again.loadRgb(i));
            assertEquals(small.train().label(i), again.label(i));
        }
        assertFalse(Arrays.equals(small.train().loadRgb(17), SyntheticDataset.generate(4, 12, 3, 12).train().loadRgb(17)));
        assertEquals(48, small.train().size());
        assertEquals(12, small.val().size());
        int[] count = new int[4];
        for (int i = 0; i < 48; i++) count[small.train().label(i)]++;
        assertArrayEquals(new int[] {12, 12, 12, 12}, count);
        assertFalse(Arrays.equals(small.train().loadRgb(0), small.train().loadRgb(1)));
    }

    @Test
    void sameBatchesForOneAndThreeThreadsAndExactResume() {
        try (DataLoader one = paperLoader(1, 48); DataLoader three = paperLoader(3, 48)) {
            assertEquals(6, one.batchesPerEpoch());
            List<DataLoader.Batch> a = all(one, 2, 0), b = all(three, 2, 0);
            assertEquals(6, a.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).images(), b.get(i).images(), "batch " + i);
                assertArrayEquals(a.get(i).labels(), b.get(i).labels());
                assertArrayEquals(a.get(i).softTargets(), b.get(i).softTargets());
            }
            List<DataLoader.Batch> resumed = all(three, 2, 4);
            assertEquals(2, resumed.size());
            assertArrayEquals(a.get(4).images(), resumed.get(0).images());
            assertEquals(4, resumed.get(0).index());
            // another epoch differs
            assertFalse(Arrays.equals(a.get(0).images(), all(one, 3, 0).get(0).images()));
            assertEquals(8 * 3 * 48 * 48, a.get(0).images().length);
        }
    }

    @Test
    void recycledBuffersAreReusedAndFullyOverwritten() {
        try (DataLoader fresh = paperLoader(2, 48); DataLoader reusing = paperLoader(2, 48)) {
            List<DataLoader.Batch> expected = all(fresh, 1, 0);
            List<float[]> handedBack = new ArrayList<>();
            try (DataLoader.Epoch it = reusing.epoch(1)) {
                for (int i = 0; it.hasNext(); i++) {
                    DataLoader.Batch b = it.next();
                    assertArrayEquals(expected.get(i).images(), b.images(), "batch " + i);
                    assertArrayEquals(expected.get(i).softTargets(), b.softTargets(), "batch " + i);
                    handedBack.add(b.images());
                    Arrays.fill(b.images(), Float.NaN); // whatever a consumer leaves must not reach a later batch
                    reusing.recycle(b);
                }
            }
            // a second epoch built from recycled buffers only: every one of them comes back, rewritten completely
            List<DataLoader.Batch> again = all(reusing, 1, 0);
            int reused = 0;
            for (int i = 0; i < again.size(); i++) {
                assertArrayEquals(expected.get(i).images(), again.get(i).images(), "rebuilt batch " + i);
                for (float[] h : handedBack) if (h == again.get(i).images()) reused++;
            }
            assertTrue(reused > 0, "no recycled buffer was reused");
        }
    }

    @Test
    void evalLoaderKeepsOrderAndLastPartialBatch() {
        try (DataLoader l = DataLoader.builder(small.val()).setBatchSize(5).optThreads(2).build()) {
            List<DataLoader.Batch> bs = all(l, 0, 0);
            assertEquals(3, bs.size());
            assertEquals(2, bs.get(2).size());
            assertNull(bs.get(0).softTargets());
            assertEquals(small.val().label(5), bs.get(1).labels()[0]);
            float expected = ((small.val().loadRgb(0)[0] & 0xFF) / 255f - 0.485f) / 0.229f;
            assertEquals(expected, bs.get(0).images()[0], 1e-6f);
        }
    }

    @Test
    void mixupTargetsSumToOneWithTheSmoothingFloor() {
        Mixup m = Mixup.paper(10);
        int b = 6, s = 16;
        int[] labels = {0, 1, 2, 3, 4, 5};
        int cutmix = 0, mix = 0;
        for (int t = 0; t < 200; t++) {
            float[] x = new float[b * 3 * s * s];
            for (int i = 0; i < b; i++) Arrays.fill(x, i * 3 * s * s, (i + 1) * 3 * s * s, i);
            Mixup.Applied[] ap = new Mixup.Applied[1];
            float[] y = m.apply(x, labels, b, s, new Well19937c(t), ap);
            double lam = ap[0].lambda();
            for (int i = 0; i < b; i++) {
                double sum = 0;
                for (int c = 0; c < 10; c++) {
                    sum += y[i * 10 + c];
                    assertTrue(y[i * 10 + c] >= 0.01f - 1e-6f, "floor 0.1/10");
                }
                assertEquals(1.0, sum, 1e-5);
                double on = 0.9 + 0.01;
                assertEquals(on * lam + 0.01 * (1 - lam), y[i * 10 + labels[i]], 1e-5);
            }
            if (ap[0].cutmix()) {
                cutmix++;
                int[] bx = ap[0].box();
                // the box holds the partner's pixels and λ is the kept area fraction
                int inside = (bx[1] - bx[0]) * (bx[3] - bx[2]);
                assertEquals(1 - (double) inside / (s * s), lam, 1e-9);
                if (inside > 0) assertEquals(b - 1, x[bx[0] * s + bx[2]], 0f);
                long kept = 0;
                for (int k = 0; k < s * s; k++) if (x[k] == 0f) kept++;
                assertEquals(s * s - inside, kept);
            } else {
                mix++;
                assertEquals((float) (0 * lam + (b - 1) * (1 - lam)), x[0], 1e-4f);
            }
        }
        assertTrue(cutmix > 70 && mix > 70, "switch prob 0.5: cutmix " + cutmix + ", mixup " + mix);
    }

    @Test
    void randomErasingStatistics() {
        int s = 64, n = 4000, erased = 0;
        double areaSum = 0, sum = 0, sumSq = 0;
        long cnt = 0;
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < n; t++) {
            float[] x = new float[3 * s * s];
            Arrays.fill(x, Float.NaN);
            if (Transforms.randomErasing(x, 3, s, s, 0.25, r)) {
                erased++;
                int a = 0;
                for (float v : x) {
                    if (!Float.isNaN(v)) {
                        a++;
                        sum += v;
                        sumSq += v * v;
                        cnt++;
                    }
                }
                areaSum += a / 3.0 / (s * s);
            }
        }
        double rate = (double) erased / n;
        assertEquals(0.25, rate, 0.03);
        double meanArea = areaSum / erased;
        assertTrue(meanArea > 0.12 && meanArea < 0.2, "mean erased area " + meanArea); // uniform(0.02, 1/3) has mean 0.177, minus refused tries
        double mean = sum / cnt, var = sumSq / cnt - mean * mean;
        assertEquals(0, mean, 0.01);
        assertEquals(1, var, 0.02);
    }

    @Test
    void randAugmentOpsPreserveShapeAndRange() {
        byte[] img = small.train().loadRgb(3);
        for (int op = 0; op < RandAugment.OPS.length; op++) {
            for (int sign : new int[] {1, -1}) {
                double mag = RandAugment.magnitudeOf(op, 64, 64, 9) * (RandAugment.isSigned(op) ? sign : 1);
                byte[] out = RandAugment.applyOp(img, 64, 64, op, mag);
                assertEquals(img.length, out.length, RandAugment.OPS[op]);
            }
        }
        assertEquals(7, (int) RandAugment.magnitudeOf(10, 64, 64, 9));
        assertEquals(178.5, RandAugment.magnitudeOf(11, 64, 64, 9), 1e-9);
        assertEquals(9.0, RandAugment.magnitudeOf(5, 64, 64, 9), 1e-9);
        // translate by +5 columns moves pixel (0, 0) to (0, 5) and fills column 0 with zeros
        byte[] t = RandAugment.applyOp(img, 64, 64, 3, 5.9);
        assertEquals(img[0], t[5 * 3]);
        assertEquals(0, t[0]);
        // solarize, posterize
        byte[] sol = RandAugment.applyOp(new byte[] {(byte) 200, 10, (byte) 178}, 1, 1, 11, 178.5);
        assertArrayEquals(new byte[] {55, 10, (byte) 178}, sol);
        assertArrayEquals(new byte[] {(byte) 254, 10, (byte) 178}, RandAugment.applyOp(new byte[] {(byte) 255, 11, (byte) 179}, 1, 1, 10, 7));
        // shearX by 0.5 about the top-left: row y samples x + 0.5 (y + 0.5)
        byte[] sh = RandAugment.applyOp(img, 64, 64, 1, 0.5);
        assertEquals(img[(10 * 64 + 20 + 5) * 3], sh[(10 * 64 + 20) * 3]); // 20 + 0.5*10.5 = 25.25 -> 25
        // autocontrast stretches to the full range, equalize keeps the shape
        byte[] ac = RandAugment.applyOp(img, 64, 64, 12, 0);
        int lo = 255, hi = 0;
        for (int i = 0; i < ac.length; i += 3) {
            lo = Math.min(lo, ac[i] & 0xFF);
            hi = Math.max(hi, ac[i] & 0xFF);
        }
        assertEquals(0, lo);
        assertTrue(hi >= 254, "max " + hi); // float32 (v - lo) * (255 / (hi - lo)) truncates, as torch does
        // whole policy, seeded
        RandAugment ra = new RandAugment(2, 9);
        assertArrayEquals(ra.apply(img, 64, 64, new SplittableRandom(1)), ra.apply(img, 64, 64, new SplittableRandom(1)));
    }

    @Test
    void randomResizedCropParamsFollowTorchvision() {
        SplittableRandom r = new SplittableRandom(9);
        for (int t = 0; t < 2000; t++) {
            Transforms.Crop c = Transforms.randomResizedCropParams(r, 64, 64, 0.08, 1, 3.0 / 4, 4.0 / 3);
            assertTrue(c.height() > 0 && c.width() > 0 && c.top() + c.height() <= 64 && c.left() + c.width() <= 64, c.toString());
            double area = c.height() * c.width() / 4096.0;
            assertTrue(area >= 0.06 && area <= 1.0, "area " + area);
        }
        // impossible ranges fall back to the centre crop with the ratio clamped
        Transforms.Crop c = Transforms.randomResizedCropParams(r, 40, 100, 2, 3, 1, 2);
        assertEquals(new Transforms.Crop(0, 10, 40, 80), c);
        byte[] crop = Transforms.resizedCrop(small.train().loadRgb(0), 64, 64, new Transforms.Crop(0, 0, 64, 64), 96);
        assertEquals(96 * 96 * 3, crop.length);
        assertNotNull(crop);
    }
}

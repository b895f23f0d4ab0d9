package org.vitarena.spi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VariantTableTest {
    /** A config that takes options itself, as the families' records do. */
    record Cfg(int size, int classes, float dropPath) implements VariantConfig<Cfg> {
        @Override public Cfg withNumClasses(int n) { return new Cfg(size, n, dropPath); }
        @Override public Cfg withImgSize(int s) { return new Cfg(s, classes, dropPath); }
        @Override public Cfg withDropPath(float r) { return new Cfg(size, classes, r); }
    }

    private static final VariantTable<Cfg> TABLE = VariantTable.<Cfg>builder("toy")
            .addTimm("toy_base_224", new Cfg(224, 1000, 0f))
            .addTimm("toy_small_224", new Cfg(224, 1000, 0f))
            .add("toy_demo", new Cfg(64, 1000, 0f))
            .build();

    @Test void namesKeepInsertionOrder() {
        assertEquals(List.of("toy_base_224", "toy_small_224", "toy_demo"), TABLE.names());
        assertEquals(List.of("toy_base_224", "toy_small_224", "toy_demo"), List.copyOf(TABLE.asMap().keySet()));
        assertEquals("toy", TABLE.family());
    }

    @Test void aDuplicateNameThrowsNamingIt() {
        var b = VariantTable.<Cfg>builder("toy").add("toy_demo", new Cfg(64, 10, 0f));
        var e = assertThrows(IllegalArgumentException.class, () -> b.addTimm("toy_demo", new Cfg(32, 10, 0f)));
        assertTrue(e.getMessage().contains("'toy_demo'") && e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test void anEmptyTableIsRefused() {
        assertThrows(IllegalStateException.class, () -> VariantTable.<Cfg>builder("toy").build());
    }

    @Test void theTableIsImmutableAndIndependentOfItsBuilder() {
        assertThrows(UnsupportedOperationException.class, () -> TABLE.names().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> TABLE.asMap().put("x", new Cfg(1, 1, 0f)));
        assertThrows(UnsupportedOperationException.class, () -> TABLE.asMap().remove("toy_demo"));
        var b = VariantTable.<Cfg>builder("toy").add("a", new Cfg(8, 1, 0f));
        var t = b.build();
        b.add("b", new Cfg(8, 1, 0f));
        assertEquals(List.of("a"), t.names());
        assertFalse(t.contains("b"));
    }

    @Test void anUnknownNameIsRefusedWithTheStandardMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> TABLE.get("no_such_variant"));
        assertEquals("unknown toy variant 'no_such_variant'; known: toy_base_224, toy_small_224, toy_demo", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TABLE.config("no_such_variant", ModelOptions.of(3)));
        assertTrue(TABLE.find("no_such_variant").isEmpty());
        assertEquals(new Cfg(64, 1000, 0f), TABLE.find("toy_demo").orElseThrow());
    }

    @Test void aTypoGetsADidYouMean() {
        var e = assertThrows(IllegalArgumentException.class, () -> TABLE.get("toy_smal_224"));
        assertTrue(e.getMessage().startsWith("unknown toy variant 'toy_smal_224'; known: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; did you mean 'toy_small_224'?"), e.getMessage());
        assertEquals(java.util.Optional.of("vit_demo"), VariantTable.suggest("vit_dmeo", List.of("vit_demo", "deit_demo")));
        assertTrue(VariantTable.suggest("resnet50", List.of("vit_demo", "deit_demo")).isEmpty());
        assertEquals(3, VariantTable.editDistance("kitten", "sitting"));
        assertEquals(0, VariantTable.editDistance("", ""));
    }

    @Test void optionsAreApplied() {
        assertEquals(new Cfg(64, 10, 0.1f), TABLE.config("toy_demo", new ModelOptions(10, 0, 0.1f, 3L)));
        assertEquals(new Cfg(96, 7, 0f), TABLE.config("toy_demo", new ModelOptions(7, 96, 0f, 0L)));
        assertEquals(new Cfg(64, 1000, 0f), TABLE.get("toy_demo"), "the published config is unchanged");
    }

    @Test void anyConfigTypeTakesOptionsThroughAFunction() {
        record Plain(int size, int classes) {}
        VariantTable<Plain> t = VariantTable.<Plain>builder("plain", (c, o) -> new Plain(o.imgSize() > 0 ? o.imgSize() : c.size(), o.numClasses()))
                .add("plain_demo", new Plain(32, 1000)).build();
        assertEquals(new Plain(32, 5), t.config("plain_demo", ModelOptions.of(5)));
        assertEquals(new Plain(48, 5), t.config("plain_demo", ModelOptions.of(5).withImgSize(48)));
    }

    @Test void timmSpecNamesTheModelTimmKnowsAndTheClassOtherwise() {
        java.util.function.Function<Cfg, Map<String, Object>> kwargs = c -> {
            Map<String, Object> k = new java.util.LinkedHashMap<>();
            k.put("img_size", c.size());
            k.put("num_classes", c.classes());
            k.put("global_pool", "avg");
            if (c.dropPath() > 0) k.put("drop_path_rate", c.dropPath());
            return k;
        };
        TimmSpec named = TABLE.timmSpec("toy_base_224", ModelOptions.of(10), "timm.models.toy.Toy", kwargs);
        assertTrue(named.timmHasName());
        assertEquals("timm.create_model('toy_base_224', num_classes=10)", named.python());
        TimmSpec resized = TABLE.timmSpec("toy_base_224", ModelOptions.of(10).withImgSize(384), "timm.models.toy.Toy", kwargs);
        assertEquals("timm.create_model('toy_base_224', num_classes=10, img_size=384)", resized.python());
        TimmSpec own = TABLE.timmSpec("toy_demo", ModelOptions.of(10).withDropPath(0.1f), "timm.models.toy.Toy", kwargs);
        assertFalse(own.timmHasName());
        assertEquals("timm.models.toy.Toy(img_size=64, num_classes=10, global_pool='avg', drop_path_rate=0.1)", own.python());
        assertThrows(IllegalStateException.class, own::createModelCall);
        assertThrows(UnsupportedOperationException.class, () -> own.kwargs().put("x", 1));
    }

    @Test void pythonLiterals() {
        assertEquals("None", TimmSpec.python(null));
        assertEquals("True", TimmSpec.python(true));
        assertEquals("'it\\'s'", TimmSpec.python("it's"));
        assertEquals("[2, 2, 6, 2]", TimmSpec.python(List.of(2, 2, 6, 2)));
        assertEquals("1.0E-5", TimmSpec.python(1e-5f)); // a valid Python float literal
    }
}

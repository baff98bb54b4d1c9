package io.convscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code convscope atlas} on the ten sample images (in class folders), and its bad inputs. */
class AtlasCommandTest {
    @TempDir
    Path dir;

    private Path samples() throws Exception {
        Path data = dir.resolve("data");
        List<String> names;
        try (var s = Files.list(Path.of("..", "samples", "fashion-mnist"))) {
            names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().toList();
        }
        for (String n : names) {
            Path cls = data.resolve(n.substring(n.indexOf('_') + 1, n.length() - 4));
            Files.createDirectories(cls);
            Files.copy(Path.of("..", "samples", "fashion-mnist", n), cls.resolve(n));
        }
        Files.writeString(data.resolve("shirt").resolve("broken.png"), "not an image");
        return data;
    }

    @Test
    void writesTheSiteWithUnitPagesAndNumbers() throws Exception {
        Path data = samples();
        Path out = dir.resolve("site");
        CliErrorsTest.Run r = CliErrorsTest.run("atlas", data.toString(), "--top", "3", "--batch", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("1 of 11 images could not be read"), r.out());
        assertTrue(r.out().contains("shirt/broken.png"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
        assertTrue(Files.isRegularFile(out.resolve("block2_pool").resolve("index.html")));
        Path unit = out.resolve("block2_pool").resolve("5");
        String page = Files.readString(unit.resolve("index.html"));
        assertTrue(page.contains("patch_3.png") && page.contains("proj_3.png") && page.contains("Class preferences"), page);
        assertTrue(page.contains("deconvnet"), "the projections are the deconvnet's by default");
        assertTrue(Files.isRegularFile(unit.resolve("patch_1.png")));
        assertTrue(Files.isRegularFile(unit.resolve("tile.png")));
        String json = Files.readString(out.resolve("atlas.json"));
        assertTrue(json.contains("\"images\": 10") && json.contains("\"failed\": 1"), json.substring(0, 300));
        List<String> top = Files.readAllLines(out.resolve("top.csv"));
        assertEquals("layer,unit,rank,image,name,label,value,y,x,top,left,bottom,right", top.get(0));
        assertEquals(1 + (32 + 64) * 3, top.size(), "3 rows per unit of block1_pool (32) and block2_pool (64)");
        assertTrue(Files.isRegularFile(dir.resolve("site.checkpoint")), "the checkpoint stays beside the site");

        // one PNG per distinct dataset image, shared by all units; per top entry a patch and a projection
        java.util.Set<String> distinct = new java.util.TreeSet<>();
        String[] first = null;
        for (String row : top.subList(1, top.size())) {
            String[] f = row.split(",");
            distinct.add(f[3]);
            if (f[0].equals("block2_pool") && f[1].equals("5") && f[2].equals("1")) {
                first = f;
            }
        }
        long onDisk;
        try (var files = Files.walk(out)) {
            onDisk = files.filter(Files::isRegularFile).count();
        }
        int entries = top.size() - 1;
        int units = 32 + 64;
        assertEquals(distinct.size() + 2L * entries + 2L * units + 2 + 4, onDisk,
                "images + patches + projections + (tile, page) per unit + layer pages + index, json, two csv");
        assertTrue(r.out().contains("Wrote " + onDisk + " files"), r.out());
        try (var imgs = Files.list(out.resolve("images"))) {
            assertEquals(distinct.size(), imgs.count());
        }
        try (var fulls = Files.walk(out)) {
            assertEquals(0, fulls.filter(f -> f.getFileName().toString().startsWith("full_")).count(), "no per-unit copies");
        }
        // the outline on the unit page is the receptive field, at the display scale (28 px shown at 112)
        io.convscope.network.Network model = io.convscope.model.ModelLoader.load(
                io.convscope.model.ModelLoader.Request.of(null), io.convscope.util.Progress.NONE);
        io.convscope.atlas.ReceptiveField.Box b = io.convscope.atlas.ReceptiveField.of(model, "block2_pool",
                Integer.parseInt(first[7]), Integer.parseInt(first[8])).clip(28, 28);
        int s = 4;
        String box = "<img src=\"../../images/" + first[3] + ".png\" width=112 height=112 alt=\"image\"><div class=box style=\"left:"
                + b.left() * s + "px;top:" + b.top() * s + "px;width:" + b.width() * s + "px;height:" + b.height() * s + "px\">";
        assertTrue(page.contains(box), box + " in\n" + page);
        assertEquals(b.top() + "," + b.left() + "," + b.bottom() + "," + b.right(),
                first[9] + "," + first[10] + "," + first[11] + "," + first[12]);
        assertFalse(Files.exists(dir.resolve(".site.partial")), "no temporary folder left");

        // --resume of a finished run computes nothing more and writes the same numbers
        String before = Files.readString(out.resolve("units.csv"));
        CliErrorsTest.Run again = CliErrorsTest.run("atlas", data.toString(), "--top", "3", "--batch", "4", "--out", out.toString(), "--resume");
        assertEquals(0, again.code(), again.err());
        assertEquals(before, Files.readString(out.resolve("units.csv")));
    }

    @Test
    void badInputsAreOneLine() throws Exception {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        one(CliErrorsTest.run("atlas", empty.toString()), "the dataset is empty");
        one(CliErrorsTest.run("atlas", dir.resolve("missing").toString()), "no such folder or file");
        one(CliErrorsTest.run("atlas", "--top", "0", empty.toString()), "--top must be at least 1");
        Path data = samples();
        one(CliErrorsTest.run("atlas", data.toString(), "--layers", "fc1"), "not feature maps");
        Path all = dir.resolve("broken");
        Files.createDirectories(all);
        Files.writeString(all.resolve("a.png"), "x");
        one(CliErrorsTest.run("atlas", all.toString(), "--out", dir.resolve("o").toString()), "none of the 1 images");
        assertFalse(Files.exists(dir.resolve("o")), "no site when nothing was computed");
        one(CliErrorsTest.run("atlas", data.toString(), "--spark", "spark://127.0.0.1:1"), "convscope-spark");
    }

    private static void one(CliErrorsTest.Run r, String fragment) {
        assertEquals(1, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("convscope: error: ") && lines[0].contains(fragment), lines[0]);
    }
}

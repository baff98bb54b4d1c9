package io.convscope.cli;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input gets one line on stderr, a non-zero exit, no stack trace, no files. */
class CliErrorsTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) { }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs, expects failure with exactly one line that contains every fragment. */
    Run fails(List<String> fragments, String... args) throws IOException {
        List<Path> before;
        try (var s = Files.list(dir)) {
            before = s.sorted().toList();
        }
        Run r = run(args);
        assertNotEquals(0, r.code, "exit code for " + Arrays.toString(args));
        String[] lines = r.err.strip().split("\n");
        assertEquals(1, lines.length, "one line on stderr, got:\n" + r.err);
        assertTrue(lines[0].startsWith("convscope: error: "), lines[0]);
        for (String f : fragments) {
            assertTrue(lines[0].contains(f), "'" + f + "' in: " + lines[0]);
        }
        assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), "no stack trace: " + r.err);
        try (var s = Files.list(dir)) {
            assertEquals(before, s.sorted().toList(), "no files written");
        }
        return r;
    }

    @Test
    void unknownZooNameSuggestsTheNearest() throws IOException {
        fails(List.of("vgg61", "did you mean vgg16"), "summary", "vgg61");
        fails(List.of("resnet50", "resnet50v2"), "predict", "--model", "resnet50", "x.png");
    }

    @Test
    void aRunRegistersOnlyItsCommandAndSaysTheSameAsWithAll() {
        for (Class<?> c : Main.COMMANDS) {
            String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
            java.util.Set<String> registered = Main.commandLine(new String[] {name, "x"}).getSubcommands().keySet();
            if (name.equals("help")) {
                assertEquals(Main.COMMANDS.size(), registered.size(), "help needs every command: " + registered);
                continue;
            }
            assertEquals(java.util.Set.of(name), registered);
            // the command's own help, registered alone, is the one it has among all the others
            StringWriter all = new StringWriter();
            Main.commandLine().getSubcommands().get(name).usage(new PrintWriter(all, true));
            assertEquals(all.toString(), run(name, "--help").out, name);
        }
        assertEquals(0, Main.commandLine(new String[] {"--version"}).getSubcommands().size());
        assertEquals(Main.COMMANDS.size(), Main.commandLine(new String[] {"--help"}).getSubcommands().size());
        assertEquals(Main.COMMANDS.size(), Main.commandLine(new String[] {"-V", "-h"}).getSubcommands().size());
        assertEquals(Main.COMMANDS.size(), Main.commandLine(new String[] {"activation"}).getSubcommands().size());
        assertTrue(run("--version").out.startsWith("convscope "), run("--version").out);
        assertTrue(run().out.contains("reconstruct"), "the usage lists every command");
    }

    @Test
    void unknownCommandSuggestsTheNearest() {
        Run r = run("activation", "x.png");
        assertEquals(64, r.code);
        assertEquals("convscope: error: unknown command 'activation'; did you mean activations? (convscope --help lists them)",
                r.err.strip());
        Run far = run("zzzzzzzzzzzz");
        assertTrue(far.err.contains("unknown command 'zzzzzzzzzzzz'; the commands are activations, ") && far.err.contains("reconstruct"), far.err);
        assertFalse(far.err.contains("Unmatched"), far.err);
    }

    @Test
    void missingImage() throws IOException {
        fails(List.of(dir.resolve("nope.png").toString()), "predict", "--model", "vgg16", "--weights", "none",
                dir.resolve("nope.png").toString());
    }

    @Test
    @Tag("slow")
    void notAnImageAndTruncatedAndAbsurdImages() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "these are not pixels\n");
        fails(List.of("notes.png", "not an image"), "predict", "--model", "vgg16", "--weights", "none", text.toString());

        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64; i++) {
            img.setRGB(i, i, 0xff8040);
        }
        Path png = dir.resolve("full.png");
        ImageIO.write(img, "png", png.toFile());
        byte[] bytes = Files.readAllBytes(png);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, bytes.length / 2));
        fails(List.of("cut.png", "truncated"), "predict", "--model", "vgg16", "--weights", "none", cut.toString());

        Path huge = Files.write(dir.resolve("huge.png"), pngHeader(100_000, 100_000));
        fails(List.of("huge.png", "100000"), "predict", "--model", "vgg16", "--weights", "none", huge.toString());
    }

    @Test
    void badModelFiles() throws IOException {
        Path txt = Files.writeString(dir.resolve("model.h5"), "not a model at all");
        fails(List.of("model.h5", "not"), "summary", txt.toString());

        Path weights = dir.resolve("weights.h5");
        try (WritableHdfFile f = HdfFile.write(weights)) {
            f.putAttribute("layer_names", new String[] {"block1_conv1"});
            var g = f.putGroup("block1_conv1");
            g.putAttribute("weight_names", new String[] {"block1_conv1/kernel:0", "block1_conv1/bias:0"});
            var inner = g.putGroup("block1_conv1");
            inner.putDataset("kernel:0", new float[5][3][3][64]); // wrong: VGG16's is 3×3×3×64
            inner.putDataset("bias:0", new float[64]);
        }
        fails(List.of("only weights", "--weights"), "summary", weights.toString());
        fails(List.of("block1_conv1", "3"), "predict", "--model", "vgg16", "--weights", weights.toString(),
                writeImage().toString());

        byte[] h5 = Files.readAllBytes(weights);
        Path cut = Files.write(dir.resolve("cut.h5"), Arrays.copyOf(h5, h5.length / 3));
        fails(List.of("cut.h5"), "summary", cut.toString());
    }

    @Test
    void badOptions() throws IOException {
        Run r = run("predict", "--top", "zero", "x.png");
        assertEquals(64, r.code);
        assertTrue(r.err.contains("--top"), r.err);
        fails(List.of("--resize", "crop"), "predict", "--model", "vgg16", "--weights", "none", "--resize", "squash", "x.png");
        fails(List.of("unknown device"), "predict", "--model", "vgg16", "--weights", "none", "--device", "tpu",
                writeImage().toString());
    }

    private Path writeImage() throws IOException {
        Path p = dir.resolve("ok.png");
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
        return p;
    }

    /** A PNG signature and an IHDR chunk claiming w×h, then nothing. */
    static byte[] pngHeader(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        b.putInt(13);
        int start = b.position();
        b.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), start, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }
}

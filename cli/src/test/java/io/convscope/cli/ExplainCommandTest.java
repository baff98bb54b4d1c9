package io.convscope.cli;

import io.convscope.explain.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code convscope explain} on the embedded model: the files it writes, and one line for each bad input. */
class ExplainCommandTest {
    @TempDir
    Path dir;

    static final String SNEAKER = Path.of("..", "samples", "fashion-mnist", "7_sneaker.png").toString();

    CliErrorsTest.Run fails(List<String> fragments, String... args) throws IOException {
        CliErrorsTest t = new CliErrorsTest();
        t.dir = dir;
        return t.fails(fragments, args);
    }

    @Test
    void writesPanelsRawMapsCsvAndIndex() throws IOException {
        Path out = dir.resolve("out");
        CliErrorsTest.Run r = CliErrorsTest.run("explain", SNEAKER, "--method", "gradcam,saliency,integrated-gradients", "--steps", "4",
                "--top", "2", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("7_sneaker/panel.png", "7_sneaker/gradcam-Sneaker.npy", "7_sneaker/saliency-Sneaker.npy",
                "7_sneaker/integrated-gradients-Sneaker.npy", "explain.csv", "index.html")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        byte[] npy = Files.readAllBytes(out.resolve("7_sneaker/gradcam-Sneaker.npy"));
        String header = new String(npy, 10, 70, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (28, 28)"), header);
        assertEquals(0, (10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8)) % 64, "header padded to 64 bytes");
        float[] v = Npy.read(npy);
        assertEquals(28 * 28, v.length);
        List<String> csv = Files.readAllLines(out.resolve("explain.csv"));
        assertEquals(1 + 3 * 2, csv.size(), "a header and a row per method and class");
        assertTrue(csv.get(0).startsWith("image,model,method,class_index,class,probability,score"));
        assertTrue(r.out().contains("Wrote"), r.out());
        // IG at 4 steps is far from complete: a warning that names a step count
        assertTrue(r.err().contains("completeness error") && r.err().contains("--steps "), r.err());
    }

    @Test
    void badInputsGetOneLineAndNoFiles() throws IOException {
        String out = dir.resolve("out").toString();
        fails(List.of("layer 'fc1' has no spatial maps", "block2_pool"), "explain", SNEAKER, "--layer", "fc1", "-o", out);
        fails(List.of("no class named 'snekaer'", "sneaker"), "explain", SNEAKER, "--class", "snekaer", "-o", out);
        fails(List.of("--window 40 is larger than the image"), "explain", SNEAKER, "--method", "occlusion", "--window", "40", "-o", out);
        fails(List.of("unknown method 'gradcan'", "gradcam"), "explain", SNEAKER, "--method", "gradcan", "-o", out);
        fails(List.of("has no classifier"), "explain", "--model", "vgg16", "--no-top", "--weights", "none", SNEAKER, "--class", "1", "-o", out);
    }
}

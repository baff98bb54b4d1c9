package io.convscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line on the core API: memory refusals (issue 13 item 2) and the shared choice parser. */
class ProbeCliTest {

    /** The run: on the old code it ran 135 s and ended in an OutOfMemoryError with a stack trace. */
    @Test
    void filtersTooLargeIsRefusedAtOnceInOneLine(@TempDir Path dir) {
        Path model = CliOnnxTest.fixture("models/squeezenet1.1/model.onnx");
        long t = System.nanoTime();
        CliErrorsTest.Run r = CliErrorsTest.run("filters", "--model", model.toString(), "--preprocess", "torch", "--layer", "squeezenet0_conv0",
                "--channels", "0-63", "--size", "2000", "--steps", "1", "--out", dir.resolve("o").toString());
        double seconds = (System.nanoTime() - t) / 1e9;
        assertEquals(1, r.code(), r.err());
        assertTrue(seconds < 30, "took " + seconds + " s");
        String err = r.err().strip();
        assertEquals(1, err.split("\n").length, err);
        assertTrue(err.matches("convscope: error: filters of 64 channels of squeezenet0_conv0 at 2000×2000 needs about .* but "
                + "(the Java heap allows|this machine has) .*; --size \\d+ fits.*"), err);
        assertFalse(Files.exists(dir.resolve("o")), "nothing written");
    }

    @Test
    void classvizTooLargeIsRefused(@TempDir Path dir) {
        Path model = CliOnnxTest.fixture("models/squeezenet1.1/model.onnx");
        CliErrorsTest.Run r = CliErrorsTest.run("classviz", "--model", model.toString(), "--preprocess", "torch", "--class", "1,2,3,4", "--size", "4096",
                "--out", dir.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("convscope: error: classviz of 4 classes at 4096×4096 needs about ")
                && r.err().strip().split("\n").length == 1 && r.err().contains("--size"), r.err());
    }

    @Test
    void namedChoicesShareOneParserWithSuggestions() {
        CliErrorsTest.Run r = CliErrorsTest.run("predict", "--resize", "strech", "x.png");
        assertEquals(1, r.code());
        assertEquals("convscope: error: unknown --resize 'strech': use stretch, crop, pad or imagenet; did you mean stretch?",
                r.err().strip());
        r = CliErrorsTest.run("classviz", "--class", "1", "--optimizer", "adma");
        assertEquals("convscope: error: unknown --optimizer 'adma': use adam or lbfgs; did you mean adam?", r.err().strip());
        r = CliErrorsTest.run("activations", "--colormap", "viridi", "x.png");
        assertEquals("convscope: error: unknown --colormap 'viridi': use viridis, magma, inferno, plasma, cividis or gray; "
                + "did you mean viridis or cividis?", r.err().strip());
        r = CliErrorsTest.run("filters", "--layer", "block1_conv1", "--param", "pixel", "--steps", "0");
        assertEquals("convscope: error: --steps must be at least 1", r.err().strip(), "the alias 'pixel' parses");
    }

    @Test
    void coreMessagesBecomeFlagAdvice(@TempDir Path dir) {
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--size", "56x56", "--layers", "fc1", "--out", dir.toString(),
                Path.of("..", "samples", "fashion-mnist", "7_sneaker.png").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().strip().endsWith("or leave out --size/--keep-size"), r.err());
    }
}

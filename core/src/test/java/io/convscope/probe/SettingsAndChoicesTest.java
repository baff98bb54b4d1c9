package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.NeedsModelSizeException;
import io.convscope.Setting;
import io.convscope.UnknownChoiceException;

import io.convscope.embedded.EmbeddedModel;
import io.convscope.image.Resize;
import io.convscope.optimize.Optimizer;
import io.convscope.render.Colormap;
import io.convscope.util.Choices;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings named without flags, the one parser of named choices, typed exceptions. */
class SettingsAndChoicesTest {

    @Test
    void messagesNameSettingsAsTheCallerSpellsThem() {
        ConvscopeException e = new ConvscopeException(Setting.SIZE + " and " + Setting.KEEP_SIZE + " exclude each other {not a setting}");
        assertEquals("size and keep-size exclude each other {not a setting}", e.getMessage());
        assertEquals("--size and --keep-size exclude each other {not a setting}", e.message(s -> "--" + s.key()));
        assertEquals("no braces", ConvscopeException.render("no braces", s -> "x"));
        assertEquals("a $1 \\ b", ConvscopeException.render("a {lr} b", s -> "$1 \\"));
    }

    @Test
    void oneParserForEveryChoice() {
        assertSame(Resize.STRETCH, Resize.CHOICES.parse(" Stretch "));
        assertSame(Optimizer.Kind.LBFGS, Optimizer.Kind.CHOICES.parse("L-BFGS"));
        assertSame(Colormap.GRAY, Colormap.CHOICES.parse("grey"));
        assertEquals(List.of("adam", "lbfgs"), Optimizer.Kind.CHOICES.names());
        assertNull(Resize.CHOICES.find("nope"));
        UnknownChoiceException u = assertThrows(UnknownChoiceException.class, () -> Resize.CHOICES.parse("strech"));
        assertEquals("unknown --resize 'strech': use stretch, crop, pad or imagenet; did you mean stretch?", u.describe("--resize"));
        assertEquals(List.of("stretch", "crop", "pad", "imagenet"), u.choices());
        UnknownChoiceException far = assertThrows(UnknownChoiceException.class,
                () -> Optimizer.Kind.CHOICES.parse("sgd", Setting.LR));
        assertEquals("unknown lr 'sgd': use adam or lbfgs", far.getMessage());
        Choices<Resize> c = Choices.of(Resize.class);
        assertEquals(Resize.values().length, c.names().size());
    }

    @Test
    void aLayerThatNeedsTheModelsSizeIsNamed() {
        var net = EmbeddedModel.load();
        NeedsModelSizeException e = assertThrows(NeedsModelSizeException.class,
                () -> net.cut(List.of(net.outputs().get(0)), 56, 56).orNeedsModelSize(56, 56));
        assertTrue(net.has(e.layer()) && e.width() == 56 && e.height() == 56, e.layer());
        assertTrue(e.getMessage().endsWith("or leave out size/keep-size"), e.getMessage());
        assertTrue(e.message(s -> "--" + s.key()).endsWith("or leave out --size/--keep-size"));
    }

    /** Core speaks of settings, never of the command line's flags (issue 12: 41 places did). */
    @Test
    void coreStringsNameNoFlags() throws IOException {
        Path src = Path.of("src", "main", "java");
        Pattern literal = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
        Pattern flag = Pattern.compile("(^|[^-\\w])--[a-z]");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.endsWith("TrainEmbedded.java")) {
                    continue; // a main program of its own: those are its arguments
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/**")) {
                        continue;
                    }
                    Matcher m = literal.matcher(line);
                    while (m.find()) {
                        if (flag.matcher(m.group(1)).find()) {
                            found.add(src.relativize(f) + ":" + (i + 1) + ": " + m.group(1));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }
}

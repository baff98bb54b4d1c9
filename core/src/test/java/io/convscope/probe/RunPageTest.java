package io.convscope.probe;

import io.convscope.render.Images;
import io.convscope.render.Png;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page of a classviz, filters, reconstruct or style run. */
class RunPageTest {
    @TempDir
    Path dir;

    private record Settings(int size, double learningRate, int[] octaves) {
    }

    @Test
    void linksEveryFileWrittenShowsPicturesSettingsAndTables() throws Exception {
        Path sheet = dir.resolve("sheet.png");
        Path channel = dir.resolve("layer").resolve("c007.png");
        Files.createDirectories(channel.getParent());
        Png.write(sheet, Images.create(20, 10, 0xffffff));
        Png.write(channel, Images.create(4, 4, 0));
        Path missing = dir.resolve("progress.gif"); // asked for, not written: not linked
        Path page = new RunPage(dir.resolve("index.html"), "Channels of <x>", List.of(sheet, channel, missing))
                .pictures("Pictures", List.of(sheet, channel), List.of("every channel", "channel 7"))
                .table("Errors", List.of("layer", "error"), List.of(List.of("block1_pool", "0.398"), List.of("a<b", "1.2e-05")))
                .settings(new Settings(128, 0.05, new int[] {1, 2}), "layer", "block4_conv1").write();
        String html = Files.readString(page);
        assertTrue(html.contains("<h1>Channels of &lt;x&gt;</h1>"));
        for (String ref : all("(?:src|href)=\"([^\"#][^\"]*)\"", html)) {
            assertTrue(Files.isRegularFile(dir.resolve(ref)), "exists: " + ref);
        }
        assertTrue(html.contains("src=\"layer/c007.png\"") && html.contains("href=\"sheet.png\""));
        assertFalse(html.contains("progress.gif"), "a file not written is not linked");
        String nav = html.substring(html.indexOf("<nav>"), html.indexOf("</nav>"));
        List<String> ids = all("<details id=\"([^\"]+)\"", html);
        assertEquals(4, ids.size(), ids.toString());
        for (String id : ids) {
            assertTrue(nav.contains("href=\"#" + id + "\""), id);
        }
        // numbers right, names left; settings from the record's components
        assertTrue(html.contains("<td class=\"l\">a&lt;b</td><td>1.2e-05</td>"), html);
        assertTrue(html.contains("<td class=\"l\">learningRate</td><td class=\"l\">0.05</td>"), "a column with words: left");
        assertTrue(html.contains("<td class=\"l\">octaves</td><td class=\"l\">[1, 2]</td>"), html);
        assertTrue(html.contains("<td class=\"l\">layer</td><td class=\"l\">block4_conv1</td>"));
    }

    private static List<String> all(String regex, String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}

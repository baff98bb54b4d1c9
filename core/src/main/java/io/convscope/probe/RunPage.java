package io.convscope.probe;

import io.convscope.render.Html;
import io.convscope.util.AtomicFiles;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The page of a classviz, filters, reconstruct or style run ({@link Html.Page}): its pictures at natural
 * size, its settings, its figures (losses, errors, probabilities) and links to every file it wrote. Paths
 * are given as the run wrote them and linked relative to the page's folder.
 */
final class RunPage {
    private final Path page;
    private final Html.Page html;
    private final List<String> files = new ArrayList<>();
    private int sections;

    /** A page to be written to {@code page}, titled {@code title}, over the files the run wrote. */
    RunPage(Path page, String title, List<Path> written) {
        this.page = page;
        for (Path p : written) {
            if (Files.isRegularFile(p)) {
                files.add(rel(p));
            }
        }
        this.html = new Html.Page(title, files);
    }

    private String rel(Path p) {
        Path dir = page.toAbsolutePath().normalize().getParent();
        return dir.relativize(p.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    private String id(String heading) {
        return "s" + (++sections) + "-" + Outputs.slug(heading);
    }

    /** A section of pictures, each at natural size with its caption. */
    RunPage pictures(String heading, List<Path> pictures, List<String> captions) {
        html.section(id(heading), heading, 1, true);
        for (int i = 0; i < pictures.size(); i++) {
            html.add(html.picture(rel(pictures.get(i)), captions.get(i)));
        }
        html.end();
        return this;
    }

    /** A section with a table: plain-text cells (escaped here); columns of numbers aligned right, the others left. */
    RunPage table(String heading, List<String> header, List<List<String>> rows) {
        List<List<String>> escaped = new ArrayList<>();
        Set<Integer> left = new HashSet<>();
        for (List<String> r : rows) {
            escaped.add(r.stream().map(Html::escape).toList());
            for (int c = 0; c < r.size(); c++) {
                if (!r.get(c).matches("[-+0-9.eE]+")) {
                    left.add(c);
                }
            }
        }
        html.section(id(heading), heading, 1, true);
        html.add(Html.table(header, escaped, left));
        html.end();
        return this;
    }

    /** A section "Settings": the record's components, name and value, and {@code more} name–value pairs. */
    RunPage settings(Record settings, String... more) {
        List<List<String>> rows = new ArrayList<>();
        for (RecordComponent c : settings.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(settings);
                rows.add(List.of(c.getName(), v != null && v.getClass().isArray() ? Arrays.deepToString(new Object[] {v})
                        .replaceAll("^\\[|\\]$", "") : String.valueOf(v)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        for (int i = 0; i + 1 < more.length; i += 2) {
            rows.add(List.of(more[i], more[i + 1]));
        }
        return table("Settings", List.of("setting", "value"), rows);
    }

    /** Adds a section listing every file, and writes the page; returns its path. */
    Path write() {
        html.files("Files", files, true);
        String text = html.html();
        AtomicFiles.write(page, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        return page;
    }
}

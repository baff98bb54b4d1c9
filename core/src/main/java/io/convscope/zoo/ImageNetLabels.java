package io.convscope.zoo;

import io.convscope.ConvscopeException;
import io.convscope.util.Names;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The 1000 ImageNet (ILSVRC 2012) class names in the index order of the models' outputs: 0 "tench",
 * 1 "goldfish", ..., 999 "toilet tissue". Short human names (the first WordNet alias of each synset,
 * as in Keras's {@code imagenet_class_index.json} with spaces for underscores). Two names occur twice
 * because ImageNet has two synsets for each: "crane" (134 the bird, 517 the machine) and "maillot"
 * (638, 639).
 */
public final class ImageNetLabels {
    /** Number of classes. */
    public static final int COUNT = 1000;
    static final String RESOURCE = "imagenet_classes.txt";

    private static volatile List<String> cached;

    private ImageNetLabels() {
    }

    /** The class names, index order, unmodifiable. */
    public static List<String> load() {
        List<String> l = cached;
        if (l == null) {
            l = read();
            cached = l;
        }
        return l;
    }

    /** The name of class {@code index}. */
    public static String name(int index) {
        List<String> l = load();
        if (index < 0 || index >= l.size()) {
            throw new ConvscopeException("ImageNet class index " + index + " is out of range 0-" + (l.size() - 1));
        }
        return l.get(index);
    }

    /**
     * The class index for a user's text: a number 0-999, or a class name ignoring case, with '_'
     * accepted for ' ' ("tiger_cat").
     *
     * @throws ConvscopeException when nothing matches (with suggestions), or the name is ambiguous
     */
    public static int indexOf(String text) {
        List<String> l = load();
        String t = text == null ? "" : text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int i;
            try {
                i = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                i = -1;
            }
            if (i < 0 || i >= l.size()) {
                throw new ConvscopeException("ImageNet class index " + t + " is out of range 0-" + (l.size() - 1));
            }
            return i;
        }
        String key = t.replace('_', ' ').toLowerCase(Locale.ROOT);
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).toLowerCase(Locale.ROOT).equals(key)) {
                hits.add(i);
            }
        }
        if (hits.size() == 1) {
            return hits.get(0);
        }
        if (hits.size() > 1) {
            throw new ConvscopeException("ImageNet class name '" + text + "' is ambiguous: it is class "
                    + hits + "; pass the index instead");
        }
        throw new ConvscopeException("no ImageNet class named '" + text + "'"
                + Names.didYouMean(key, new LinkedHashSet<>(l)) + " (give a name or an index 0-999)");
    }

    private static List<String> read() {
        try (InputStream in = ImageNetLabels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource io/convscope/zoo/" + RESOURCE + " is missing from the jar");
            }
            List<String> out = new ArrayList<>(COUNT);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip();
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
            if (out.size() != COUNT) {
                throw new IllegalStateException("resource io/convscope/zoo/" + RESOURCE + " has " + out.size()
                        + " names, expected " + COUNT);
            }
            return Collections.unmodifiableList(out);
        } catch (IOException e) {
            throw new UncheckedIOException("reading io/convscope/zoo/" + RESOURCE, e);
        }
    }
}

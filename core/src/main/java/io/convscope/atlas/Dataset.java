package io.convscope.atlas;

import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.image.ImageLoader;
import io.convscope.image.Inputs;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An indexed collection of images for the atlas: image {@code i} always means the same picture, so
 * results can name images by index, several machines can read disjoint ranges, and an interrupted run
 * can continue where it stopped.
 *
 * <p>{@link #open} turns the command line's DATASET argument into one: a folder tree of images
 * (recursive, sorted by relative path; the first sub-folder is the label when images lie in sub-folders),
 * a text file listing image paths (one a line, relative to the file's folder, {@code #} comments), or
 * {@code fashion-mnist} (Debian's data set: the 60,000 training images, then the 10,000 test images).
 * Reading is thread-safe.
 */
public interface Dataset {
    /** The DATASET argument that opens this data set again (on another machine, too). */
    String spec();

    /** How many images. */
    int size();

    /** A short, stable name of image {@code i} (its relative path, or {@code train/00012}). */
    String name(int i);

    /** The class of image {@code i} as an index into {@link #classes()}, or -1 when it has none. */
    int label(int i);

    /** The class names; empty when the data set has no labels. */
    List<String> classes();

    /** Decodes image {@code i}; an unreadable image is a {@link ConvscopeException} naming it. */
    BufferedImage read(int i);

    /**
     * The data set a DATASET argument names.
     *
     * @throws ConvscopeException for a path that does not exist, an empty data set, or a list that names
     *                            no images
     */
    static Dataset open(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new ConvscopeException("no dataset given: a folder of images, a text file of image paths, or fashion-mnist");
        }
        if (spec.equalsIgnoreCase("fashion-mnist")) {
            return new FashionMnistSet(FashionMnist.dir());
        }
        Path p = Path.of(spec);
        Dataset d;
        if (Files.isDirectory(p)) {
            d = Folder.scan(spec, p);
        } else if (Files.isRegularFile(p)) {
            d = PathList.read(spec, p);
        } else {
            throw new ConvscopeException(spec + ": no such folder or file (give a folder of images, a text file of image paths, or fashion-mnist)");
        }
        if (d.size() == 0) {
            throw new ConvscopeException(spec + ": the dataset is empty (no " + ImageLoader.FORMATS + " files)");
        }
        return d;
    }

    /** Image files with optional labels: the folder tree and the list. */
    abstract class Files0 implements Dataset {
        private final String spec;
        private final List<Path> files;
        private final List<String> names;
        private final int[] labels;
        private final List<String> classes;

        Files0(String spec, List<Path> files, List<String> names, int[] labels, List<String> classes) {
            this.spec = spec;
            this.files = List.copyOf(files);
            this.names = List.copyOf(names);
            this.labels = labels;
            this.classes = List.copyOf(classes);
        }

        @Override
        public String spec() {
            return spec;
        }

        @Override
        public int size() {
            return files.size();
        }

        @Override
        public String name(int i) {
            return names.get(i);
        }

        @Override
        public int label(int i) {
            return labels[i];
        }

        @Override
        public List<String> classes() {
            return classes;
        }

        @Override
        public BufferedImage read(int i) {
            return ImageLoader.load(files.get(i));
        }

        /** The file of image {@code i}. */
        public Path file(int i) {
            return files.get(i);
        }
    }

    /** A folder tree, recursive; labels are the first-level sub-folders (images at the top have none). */
    final class Folder extends Files0 {
        private Folder(String spec, List<Path> files, List<String> names, int[] labels, List<String> classes) {
            super(spec, files, names, labels, classes);
        }

        static Folder scan(String spec, Path root) {
            List<String> rel = new ArrayList<>();
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(f -> isImage(root, f)).forEach(f -> rel.add(root.relativize(f).toString().replace('\\', '/')));
            } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
                throw new ConvscopeException(spec + ": cannot list the folder (" + e.getMessage() + ")", e);
            }
            rel.sort(Comparator.naturalOrder());
            Map<String, Integer> classIndex = new TreeMap<>();
            for (String r : rel) {
                int slash = r.indexOf('/');
                if (slash > 0) {
                    classIndex.put(r.substring(0, slash), 0);
                }
            }
            List<String> classes = new ArrayList<>(classIndex.keySet());
            for (int k = 0; k < classes.size(); k++) {
                classIndex.put(classes.get(k), k);
            }
            int[] labels = new int[rel.size()];
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < rel.size(); i++) {
                String r = rel.get(i);
                int slash = r.indexOf('/');
                labels[i] = slash > 0 ? classIndex.get(r.substring(0, slash)) : -1;
                files.add(root.resolve(r));
            }
            return new Folder(spec, files, rel, labels, classes);
        }

        private static boolean isImage(Path root, Path f) {
            Path rel = root.relativize(f);
            for (Path part : rel) {
                if (part.toString().startsWith(".")) {
                    return false; // hidden files and folders
                }
            }
            if (!Files.isRegularFile(f)) {
                return false;
            }
            String name = f.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return dot > 0 && Inputs.EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        }
    }

    /** A text file of image paths, one a line, relative to the file's folder; no labels. */
    final class PathList extends Files0 {
        private PathList(String spec, List<Path> files, List<String> names) {
            super(spec, files, names, noLabels(files.size()), List.of());
        }

        private static int[] noLabels(int n) {
            int[] l = new int[n];
            java.util.Arrays.fill(l, -1);
            return l;
        }

        static PathList read(String spec, Path list) {
            List<String> lines;
            try {
                lines = Files.readAllLines(list, StandardCharsets.UTF_8);
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new ConvscopeException(spec + ": cannot read the list of images (" + e.getMessage() + ")");
            }
            Path base = list.toAbsolutePath().getParent();
            List<Path> files = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (String line : lines) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                Path p = Path.of(s);
                files.add(p.isAbsolute() ? p : base.resolve(p));
                names.add(s);
            }
            return new PathList(spec, files, names);
        }
    }

    /** Fashion-MNIST: training images 0–59,999, then test images as 60,000–69,999. */
    final class FashionMnistSet implements Dataset {
        private final FashionMnist.Split train;
        private final FashionMnist.Split test;

        FashionMnistSet(Path dir) {
            this.train = FashionMnist.load(dir, "train");
            this.test = FashionMnist.load(dir, "t10k");
        }

        @Override
        public String spec() {
            return "fashion-mnist";
        }

        @Override
        public int size() {
            return train.count() + test.count();
        }

        @Override
        public String name(int i) {
            return i < train.count() ? String.format(Locale.ROOT, "train/%05d", i)
                    : String.format(Locale.ROOT, "test/%05d", i - train.count());
        }

        @Override
        public int label(int i) {
            return i < train.count() ? train.label(i) : test.label(i - train.count());
        }

        @Override
        public List<String> classes() {
            return FashionMnist.CLASSES;
        }

        @Override
        public BufferedImage read(int i) {
            FashionMnist.Split s = i < train.count() ? train : test;
            int j = i < train.count() ? i : i - train.count();
            int side = FashionMnist.SIDE;
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
            byte[] dst = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
            System.arraycopy(s.pixels(), j * side * side, dst, 0, side * side);
            return img;
        }
    }
}

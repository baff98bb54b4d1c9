package io.convscope.atlas;

import io.convscope.render.Compose;
import io.convscope.render.Grid;
import io.convscope.render.Png;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One unit page of an atlas site as a single picture (for the README, where a browser screenshot is not
 * at hand): its top patches, their projections and the full images with the patch outlined, each row a
 * labelled grid, read back from the site's files and {@code top.csv}/{@code units.csv} (the full images
 * are the shared {@code images/N.png}; the outline, a CSS box on the page, is drawn here from the box in
 * {@code top.csv}).
 * Usage: {@code AtlasFigure SITE LAYER UNIT OUT.png}.
 */
public final class AtlasFigure {
    public static void main(String[] args) throws Exception {
        Path site = Path.of(args[0]);
        String layer = args[1];
        int unit = Integer.parseInt(args[2]);
        Path dir = site.resolve(AtlasSite.slug(layer)).resolve(Integer.toString(unit));
        List<String[]> top = new ArrayList<>();
        for (String line : Files.readAllLines(site.resolve("top.csv"))) {
            String[] f = line.split(",");
            if (f[0].equals(layer) && f[1].equals(Integer.toString(unit))) {
                top.add(f);
            }
        }
        String cls = "";
        for (String line : Files.readAllLines(site.resolve("units.csv"))) {
            String[] f = line.split(",");
            if (f[0].equals(layer) && f[1].equals(Integer.toString(unit))) {
                cls = String.format(Locale.ROOT, "mean %s  max %s  zeros %s  prefers %s", f[2], f[3], f[4], f[7]);
            }
        }
        List<BufferedImage> rows = new ArrayList<>();
        String[] kinds = {"patch", "proj", "full"};
        String[] titles = {layer + " unit " + unit + ": top " + top.size() + " patches   " + cls,
            "projections (deconvnet: each activation alone, projected into its patch)", "the images, patch outlined"};
        for (int k = 0; k < kinds.length; k++) {
            Grid g = new Grid().title(titles[k]).columns(top.size()).minTileSize(kinds[k].equals("full") ? 112 : 64);
            boolean any = false;
            for (int r = 0; r < top.size(); r++) {
                String[] t = top.get(r);
                boolean full = kinds[k].equals("full");
                Path f = full ? site.resolve(AtlasSite.IMAGES).resolve(AtlasSite.imageFile(Integer.parseInt(t[3])))
                        : dir.resolve(kinds[k] + "_" + (r + 1) + ".png");
                if (!Files.exists(f)) {
                    continue;
                }
                any = true;
                String caption = full ? t[5] : "#" + (r + 1) + " " + t[6];
                BufferedImage img = javax.imageio.ImageIO.read(f.toFile());
                if (full) {
                    img = outlined(img, site, t);
                }
                g.add(img, caption);
            }
            if (any) {
                rows.add(g.render());
            }
        }
        Png.write(Path.of(args[3]), Compose.column(rows, 8, Grid.BACKGROUND));
    }

    /** The shared image with the top entry's box (top.csv columns 9–12, input pixels) outlined in red. */
    private static BufferedImage outlined(BufferedImage img, Path site, String[] t) throws java.io.IOException {
        String json = Files.readString(site.resolve("atlas.json"));
        var m = java.util.regex.Pattern.compile("\"input\": \\[(\\d+), (\\d+)\\]").matcher(json);
        int scale = m.find() ? Math.max(1, img.getWidth() / Integer.parseInt(m.group(2))) : 1;
        BufferedImage out = io.convscope.render.Images.toRgb(img);
        int x0 = Integer.parseInt(t[10]) * scale;
        int y0 = Integer.parseInt(t[9]) * scale;
        int x1 = (Integer.parseInt(t[12]) + 1) * scale - 1;
        int y1 = (Integer.parseInt(t[11]) + 1) * scale - 1;
        int th = scale >= 3 ? 2 : 1;
        int red = 0xff3030;
        io.convscope.render.Images.fill(out, x0, y0, x1 - x0 + 1, th, red);
        io.convscope.render.Images.fill(out, x0, y1 - th + 1, x1 - x0 + 1, th, red);
        io.convscope.render.Images.fill(out, x0, y0, th, y1 - y0 + 1, red);
        io.convscope.render.Images.fill(out, x1 - th + 1, y0, th, y1 - y0 + 1, red);
        return out;
    }
}

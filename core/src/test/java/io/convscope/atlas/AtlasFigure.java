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
 * labelled grid, read back from the site's files and {@code top.csv}/{@code units.csv}.
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
            "projections (input gradient of each activation in its patch)", "the images, patch outlined"};
        for (int k = 0; k < kinds.length; k++) {
            Grid g = new Grid().title(titles[k]).columns(top.size()).minTileSize(kinds[k].equals("full") ? 112 : 64);
            boolean any = false;
            for (int r = 0; r < top.size(); r++) {
                Path f = dir.resolve(kinds[k] + "_" + (r + 1) + ".png");
                if (!Files.exists(f)) {
                    continue;
                }
                any = true;
                String[] t = top.get(r);
                String caption = kinds[k].equals("full") ? t[5] : "#" + (r + 1) + " " + t[6];
                g.add(javax.imageio.ImageIO.read(f.toFile()), caption);
            }
            if (any) {
                rows.add(g.render());
            }
        }
        Png.write(Path.of(args[3]), Compose.column(rows, 8, Grid.BACKGROUND));
    }
}

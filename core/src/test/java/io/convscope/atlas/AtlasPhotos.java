package io.convscope.atlas;

import io.convscope.image.ImageLoader;
import io.convscope.image.Resize;
import io.convscope.render.Png;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A folder of photos for the atlas benchmark: {@code COUNT} random crops (a quarter to all of the shorter
 * side) of the given photos, flipped at random, resized to 224 × 224, in one sub-folder per source photo
 * (its class). Usage: {@code AtlasPhotos OUT COUNT SEED PHOTO…}.
 */
public final class AtlasPhotos {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[2]));
        List<BufferedImage> photos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            photos.add(io.convscope.render.Images.toRgb(ImageLoader.load(Path.of(args[i]))));
            String n = Path.of(args[i]).getFileName().toString();
            names.add(n.substring(0, n.lastIndexOf('.')));
        }
        for (int i = 0; i < count; i++) {
            int k = rnd.nextInt(photos.size());
            BufferedImage p = photos.get(k);
            int side = Math.min(p.getWidth(), p.getHeight());
            int s = side / 4 + rnd.nextInt(side - side / 4 + 1);
            int x = rnd.nextInt(p.getWidth() - s + 1);
            int y = rnd.nextInt(p.getHeight() - s + 1);
            BufferedImage crop = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
            boolean flip = rnd.nextBoolean();
            for (int r = 0; r < s; r++) {
                for (int c = 0; c < s; c++) {
                    crop.setRGB(flip ? s - 1 - c : c, r, p.getRGB(x + c, y + r));
                }
            }
            Path f = out.resolve(names.get(k)).resolve(String.format(Locale.ROOT, "%05d.png", i));
            Files.createDirectories(f.getParent());
            Png.write(f, Resize.STRETCH.apply(crop, 224, 224));
        }
    }
}

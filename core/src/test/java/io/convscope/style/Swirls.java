package io.convscope.style;

import io.convscope.render.Png;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A procedural "painting" to use as a style image where no painting may be shipped: thick brush
 * strokes that follow a field of swirls, in night blues with yellow and white highlights. Seeded, so
 * the same file every time: {@code java -cp core/target/classes:core/target/test-classes io.convscope.style.Swirls OUT.png [SIZE]}.
 */
public final class Swirls {
    private Swirls() {
    }

    /** The flow direction at (x, y): the sum of a few vortices and a gentle drift. */
    static double angle(double x, double y, double[][] vortices) {
        double vx = 0.3;
        double vy = 0.05 * Math.sin(x * 6);
        for (double[] v : vortices) {
            double dx = x - v[0];
            double dy = y - v[1];
            double r2 = dx * dx + dy * dy + 1e-3;
            double k = v[2] * Math.exp(-r2 / (v[3] * v[3]));
            vx += -dy * k / Math.sqrt(r2);
            vy += dx * k / Math.sqrt(r2);
        }
        return Math.atan2(vy, vx);
    }

    public static BufferedImage paint(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(0x14, 0x24, 0x4a));
        g.fillRect(0, 0, size, size);
        double[][] vortices = new double[7][];
        for (int i = 0; i < vortices.length; i++) {
            vortices[i] = new double[] {r.nextDouble(), r.nextDouble(), (r.nextBoolean() ? 1 : -1) * (1.5 + r.nextDouble()), 0.12 + 0.1 * r.nextDouble()};
        }
        int[] palette = {0x1b3a7a, 0x2856a8, 0x3f76c4, 0x6fa0d8, 0x0f1f45, 0x2a4d8f, 0xe8c547, 0xf3e08a, 0xfafaf0, 0x5a8f6a};
        double[] weights = {4, 4, 3, 2, 2, 3, 1.2, 0.8, 0.4, 0.6};
        int strokes = size * size / 40;
        for (int s = 0; s < strokes; s++) {
            double x = r.nextDouble();
            double y = r.nextDouble();
            double pick = r.nextDouble() * 20.9;
            int c = 0;
            for (double acc = weights[0]; acc < pick && c < palette.length - 1; acc += weights[++c]) {
                // walk to the chosen colour
            }
            Color base = new Color(palette[c]);
            float jitter = (float) (0.85 + 0.3 * r.nextDouble());
            g.setColor(new Color(Math.min(255, (int) (base.getRed() * jitter)), Math.min(255, (int) (base.getGreen() * jitter)),
                    Math.min(255, (int) (base.getBlue() * jitter))));
            g.setStroke(new BasicStroke((float) (size * (0.006 + 0.008 * r.nextDouble())), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double p = new Path2D.Double();
            p.moveTo(x * size, y * size);
            int n = 6 + r.nextInt(10);
            for (int k = 0; k < n; k++) {
                double a = angle(x, y, vortices);
                x += Math.cos(a) * 0.006;
                y += Math.sin(a) * 0.006;
                p.lineTo(x * size, y * size);
            }
            g.draw(p);
        }
        g.dispose();
        return img;
    }

    public static void main(String[] args) {
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 384;
        Png.write(Path.of(args[0]), paint(size, 7));
    }
}

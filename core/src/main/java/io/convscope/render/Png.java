package io.convscope.render;

import io.convscope.util.AtomicFiles;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Writes PNG files with {@code javax.imageio}, atomically ({@link AtomicFiles}), without temporary cache files. */
public final class Png {
    private Png() {
    }

    /** Deflate effort: the PNG writer's compression quality (1 = fastest, 0 = smallest). */
    private static final float QUALITY = 0.75f;

    /**
     * Writes {@code image} to {@code file} as PNG via a temporary file and a rename.
     *
     * @throws io.convscope.ConvscopeException when the file cannot be written
     */
    public static void write(Path file, BufferedImage image) {
        AtomicFiles.write(file, out -> write(image, out));
    }

    /** Encodes {@code image} as PNG onto {@code out} (left open). */
    public static void write(BufferedImage image, OutputStream out) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (param.canWriteCompressed()) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(QUALITY);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}

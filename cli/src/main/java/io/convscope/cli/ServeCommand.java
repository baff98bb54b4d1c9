package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.network.Network;
import io.convscope.serve.Explorer;
import io.convscope.serve.ExplorerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code convscope serve}: the explorer in the browser. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explores a model in the browser: layers, activations of every channel, single units with feature "
                + "visualization, predictions and attributions (Grad-CAM, occlusion).",
            "Listens on 127.0.0.1 and prints an address with a token for this run; stop with Ctrl-C."},
        footer = {"", "Examples:", "  convscope serve", "  convscope serve --model vgg16 --weights none --images photos/ --open"})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--images", paramLabel = "DIR", description = "A folder of images to offer.")
    Path images;

    @Option(names = "--atlas", paramLabel = "DIR", description = "A folder written by 'convscope atlas' for this model: each unit links to its atlas page.")
    Path atlas;

    @Option(names = "--port", defaultValue = "8765", paramLabel = "N", description = "Port (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--host", paramLabel = "H", description = "Listen on H instead of 127.0.0.1 (anyone who can reach it and has the token can use it).")
    String host;

    @Option(names = "--open", description = "Open the page in the default browser.")
    boolean open;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ConvscopeException("--port must be between 0 and 65535");
        }
        if (images != null && !Files.isDirectory(images)) {
            throw new ConvscopeException("--images " + images + ": not a folder");
        }
        if (atlas != null && !Files.isDirectory(atlas)) {
            throw new ConvscopeException("--atlas " + atlas + ": not a folder");
        }
        io.convscope.model.ModelLoader.check(modelOptions.request());
        var device = Devices.choose(modelOptions.device);
        Network net = modelOptions.load();
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("convscope-serve-");
        Path samples = Path.of("samples");
        Explorer explorer = new Explorer(net, device, images, Files.isDirectory(samples) ? samples : null, work, atlas);
        ExplorerServer server;
        try {
            server = new ExplorerServer(explorer, host == null ? "127.0.0.1" : host, port, host != null);
        } catch (java.net.BindException e) {
            explorer.close();
            throw new ConvscopeException("--port " + port + " is in use (try --port 0)");
        }
        if (host != null) {
            err.println("convscope serve: warning: listening on " + host + ": anyone who can reach it and has the token can use it");
        }
        String url = server.url();
        if (host != null) {
            url = url.replace("127.0.0.1", host);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("convscope serve: " + net.name() + " at " + url);
        out.flush();
        err.flush();
        if (open && java.awt.Desktop.isDesktopSupported()) {
            try {
                java.awt.Desktop.getDesktop().browse(java.net.URI.create(url));
            } catch (IOException | UnsupportedOperationException e) {
                err.println("convscope serve: cannot open a browser: " + e.getMessage());
            }
        }
        CountDownLatch stop = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            while (io.convscope.util.Interrupts.received() == 0) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
            stop.countDown();
        }, "convscope-serve-stop");
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
        server.close();
        explorer.close();
        return 0;
    }
}

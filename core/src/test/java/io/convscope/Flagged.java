package io.convscope;

/** Tests' view of a core message as the command line prints it: settings as {@code --key} flags. */
public final class Flagged {
    private Flagged() {
    }

    /** The message with every setting written {@code --key}. */
    public static String flags(Throwable t) {
        return t instanceof ConvscopeException c ? c.message(s -> "--" + s.key()) : t.getMessage();
    }
}

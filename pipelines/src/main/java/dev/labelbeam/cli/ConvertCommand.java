package dev.labelbeam.cli;

import dev.labelbeam.trainer.weights.PthWriter;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.trainer.weights.StateDicts;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code labelbeam convert}: a PyTorch {@code .pth} state dict to safetensors, and back. */
@Command(name = "convert", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Write a PyTorch .pth state dict (torch.save's zip format, read without running any pickled code: "
        + "a file naming any global besides tensors and storages is refused) as .safetensors, which train --init, "
        + "Python's safetensors and load_state_dict read; or a .safetensors (e.g. a labelbeam model.safetensors) as a "
        + ".pth that torch.load(weights_only=True) and load_state_dict read without labelbeam. Floating tensors become "
        + "float32, integer and bool tensors int64.")
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, description = "The .pth (or .safetensors) file.")
  Path from;

  @Option(names = "--to", required = true, description = "The file to write: .safetensors, or .pth / .pt.")
  Path to;

  @Override
  public Integer call() throws Exception {
    String name = to.getFileName().toString();
    boolean pth = name.endsWith(".pth") || name.endsWith(".pt");
    if (!pth && !name.endsWith(".safetensors")) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--to must name a .safetensors, .pth or .pt file, was " + to);
    }
    Map<String, Safetensors.Entry> tensors = StateDicts.readWeights(from);
    if (pth) {
      PthWriter.write(to, tensors, name.substring(0, name.lastIndexOf('.')));
    } else {
      Safetensors.write(to, tensors, Map.of("format", "pt", "converted_from", from.getFileName().toString()));
    }
    System.out.println(tensors.size() + " tensors from " + from + " written to " + to);
    return 0;
  }
}

# Made the .pth fixtures beside this script once, with python3 alone (no torch on that machine):
# python3 make_pth_fixtures.py. They follow torch.save's zip layout byte for byte in structure:
# <archive>/data.pkl (protocol 2, storages as persistent ids ('storage', torch.<Type>Storage, key,
# 'cpu', numel), tensors as torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
# requires_grad, hooks)), <archive>/data/<key> (little-endian values), <archive>/version.
import collections, io, pickle, struct, sys, types, zipfile

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, utils

def _rebuild_tensor_v2(*args): pass
def _rebuild_parameter(*args): pass
for f in (_rebuild_tensor_v2, _rebuild_parameter):
    f.__module__ = "torch._utils"; f.__qualname__ = f.__name__; setattr(utils, f.__name__, f)

def storage_class(name):
    cls = type(name, (), {}); cls.__module__ = "torch"; setattr(torch, name, cls); return cls

FMT = {"FloatStorage": "<f", "HalfStorage": "<e", "LongStorage": "<q", "IntStorage": "<i", "BoolStorage": "<?",
       "DoubleStorage": "<d"}

class Storage:
    def __init__(self, type_name, key, values):
        self.cls, self.key, self.values = storage_class(type_name), key, values
        if type_name == "BFloat16Storage":  # the upper 16 bits of the float32
            self.raw = b"".join(struct.pack("<f", v)[2:] for v in values)
        else:
            self.raw = b"".join(struct.pack(FMT[type_name], v) for v in values)

class Tensor:
    def __init__(self, storage, offset, size, stride, parameter=False):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())
        self.parameter = parameter
    def __reduce__(self):
        if self.parameter:
            return (_rebuild_parameter, (Tensor(*self.args[:4]), True, collections.OrderedDict()))
        return (_rebuild_tensor_v2, self.args)

class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, "cpu", len(obj.values))
        return None

def save(path, state, storages, archive="archive"):
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(state)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(archive + "/data.pkl", buf.getvalue())
        for s in storages:
            z.writestr(archive + "/data/" + s.key, s.raw)
        z.writestr(archive + "/version", "3\n")

# every dtype, a shared storage (two views) and a transposed (non-contiguous) tensor
w = Storage("FloatStorage", "0", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
h = Storage("HalfStorage", "1", [0.5, -1.5, 2.0])
bf = Storage("BFloat16Storage", "2", [1.0, -2.0, 0.15625])
n = Storage("LongStorage", "3", [7])
i32 = Storage("IntStorage", "4", [-3, 4])
b = Storage("BoolStorage", "5", [True, False, True])
d = Storage("DoubleStorage", "6", [0.25, 8.0])
state = collections.OrderedDict()
state["fc.weight"] = Tensor(w, 0, [2, 3], [3, 1])           # [[1,2,3],[4,5,6]]
state["fc.weight_t"] = Tensor(w, 0, [3, 2], [1, 3])         # its transpose: [[1,4],[2,5],[3,6]]
state["fc.bias"] = Tensor(w, 4, [2], [1], parameter=True)    # shares the storage: [5, 6]
state["half"] = Tensor(h, 0, [3], [1])
state["bfloat"] = Tensor(bf, 0, [3], [1])
state["bn.num_batches_tracked"] = Tensor(n, 0, [], [])
state["ints"] = Tensor(i32, 0, [2], [1])
state["mask"] = Tensor(b, 0, [3], [1])
state["double"] = Tensor(d, 0, [2], [1])
save("state_dict.pth", state, [w, h, bf, n, i32, b, d], archive="resnet_tiny")

# a whole model pickled (torch.save(model)): names the module's class, refused
class ResNet: pass
ResNet.__module__ = "torchvision.models.resnet"
mod = types.ModuleType("torchvision.models.resnet"); mod.ResNet = ResNet
sys.modules["torchvision"] = types.ModuleType("torchvision")
sys.modules["torchvision.models"] = types.ModuleType("torchvision.models")
sys.modules["torchvision.models.resnet"] = mod
model = ResNet(); model.fc = state["fc.weight"]
save("whole_model.pth", model, [w])

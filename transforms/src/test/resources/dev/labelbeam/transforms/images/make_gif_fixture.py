# Makes transparent_arrow.gif, the fixture of ImageFormatsTest.aTransparentGifFromPillowBecomesWhiteBehindTheShape:
# a 64x64 palette GIF written by Pillow (not by OpenCV, which decodes it), whose background is the transparent
# palette index 0 (black), with an opaque blue arrow in the middle. Run once with Debian's python3-pil:
#   python3 make_gif_fixture.py
from PIL import Image, ImageDraw

im = Image.new("P", (64, 64), 0)
im.putpalette([0, 0, 0, 20, 40, 230] + [0, 0, 0] * 254)  # 0: black (transparent), 1: blue
draw = ImageDraw.Draw(im)
draw.polygon([(16, 28), (40, 28), (40, 18), (56, 32), (40, 46), (40, 36), (16, 36)], fill=1)
im.save("transparent_arrow.gif", transparency=0)

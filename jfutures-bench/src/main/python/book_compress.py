"""The book's run-length image compressor, the Python side of `jfutures bench`'s compress section.

This is the case study of the concurrency chapter of Dusty Phillips, *Python 3 Object-Oriented
Programming* (Packt): it compresses a black-and-white image with run-length encoding, one
ProcessPoolExecutor task per row of pixels. Reproduced here from the book's description so that
`jfutures compress` can be timed against it and its output compared byte for byte.

The format (an .rle file): the width and the height as 2-byte little-endian integers, then the
rows one after the other. Each row is cut into chunks of 127 pixels, and each chunk into runs of
one colour; every run is one byte, its top bit the colour (1 = white) and its low 7 bits the run's
length (1 to 127). A run never crosses a chunk or a row.

    python3 book_compress.py IN_IMAGE OUT.rle        the book's single_image_main
    python3 book_compress.py --dir IN_DIR OUT_DIR    the book's dir_images_main: every .bmp in
                                                     IN_DIR, one image per task

It needs Pillow and bitarray (Debian: python3-pil, python3-bitarray).

Two departures from the book's listing, neither of which changes what is computed:
- The book builds the bits with `bitarray(image.convert('1').getdata())`. That relied on old
  bitarray releases taking the truth value of each item; bitarray 1.x and later raise "bit must be
  0 or 1, got 255" on Pillow's 0/255 pixels. `bitarray.pack` over the same pixels gives the same
  bits (a zero byte is 0, any other is 1), and iterates the pixels in C as the old constructor did.
- The book's compress_dir submits the images and returns without looking at the futures, so an
  error in a task is lost (the interpreter still waits for the tasks at exit). Here it waits for
  each future, so that a failure shows and the exit code says so.
"""

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bitarray import bitarray
from PIL import Image


def compress_chunk(chunk):
    compressed = bytearray()
    count = 1
    last = chunk[0]
    for bit in chunk[1:]:
        if bit != last:
            compressed.append(count | (128 * last))
            count = 0
            last = bit
        count += 1
    compressed.append(count | (128 * last))
    return compressed


def compress_row(row):
    compressed = bytearray()
    chunks = split_bits(row, 127)
    for chunk in chunks:
        compressed.extend(compress_chunk(chunk))
    return compressed


def split_bits(bits, width):
    for i in range(0, len(bits), width):
        yield bits[i:i + width]


def compress_in_executor(executor, bits, width):
    row_compressors = []
    for row in split_bits(bits, width):
        compressor = executor.submit(compress_row, row)
        row_compressors.append(compressor)

    compressed = bytearray()
    for compressor in row_compressors:
        compressed.extend(compressor.result())
    return compressed


def compress_image(in_filename, out_filename, executor=None):
    executor = executor if executor else ProcessPoolExecutor()
    with Image.open(in_filename) as image:
        bits = bitarray()
        bits.pack(bytes(image.convert('1').getdata()))
        width, height = image.size

    compressed = compress_in_executor(executor, bits, width)

    with open(out_filename, 'wb') as file:
        file.write(width.to_bytes(2, 'little'))
        file.write(height.to_bytes(2, 'little'))
        file.write(compressed)


def single_image_main():
    in_filename, out_filename = sys.argv[1:3]
    executor = ProcessPoolExecutor()
    compress_image(in_filename, out_filename, executor)


def compress_dir(in_dir, out_dir):
    if not out_dir.exists():
        out_dir.mkdir()

    # One image per task; each task's compress_image makes a ProcessPoolExecutor of its own for
    # the rows, executors inside executors, as in the book.
    executor = ProcessPoolExecutor()
    futures = []
    for file in (f for f in in_dir.iterdir() if f.suffix == '.bmp'):
        out_file = (out_dir / file.name).with_suffix('.rle')
        futures.append(executor.submit(compress_image, str(file), str(out_file)))
    for future in futures:
        future.result()


def dir_images_main():
    in_dir, out_dir = (Path(p) for p in sys.argv[2:4])
    compress_dir(in_dir, out_dir)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--dir':
        dir_images_main()
    elif len(sys.argv) == 3 and not sys.argv[1].startswith('-'):
        single_image_main()
    else:
        sys.exit('usage: book_compress.py IN_IMAGE OUT.rle | book_compress.py --dir IN_DIR OUT_DIR')

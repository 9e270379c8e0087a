"""`python -m satsim [--port 8089] [--seed samples/folios] [--ready-file F]`: run the SAT
SIMULATOR for a demo, on 127.0.0.1 only.

`--seed` teaches it every invoice and certificate of those folios (satsim.seed), so they answer
Vigente / as printed; anything else answers as SAT does for unknown data (602, a page without
taxpayer data) unless `--default-estado` says otherwise. `--ready-file` gets the two URLs as
`KEY=value` lines once the server listens, for scripts to wait on and source. SIGTERM stops it."""

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from .server import SIMULATOR_LABEL, SatSimulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m satsim", description=SIMULATOR_LABEL)
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument(
        "--default-estado",
        default="none",
        help="Estado for UUIDs not in the table (Vigente, Cancelado; 'none' for 602, the default)",
    )
    parser.add_argument(
        "--seed",
        action="append",
        default=[],
        type=Path,
        help="folio folder (or folder of folios) whose CFDIs and CSFs SAT should know",
    )
    parser.add_argument("--ready-file", type=Path, help="write the URLs here once listening")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="satsim: %(message)s")
    sim = SatSimulator(port=args.port, default_estado=None if args.default_estado == "none" else args.default_estado)
    if args.seed:
        from .seed import seed_from_folios

        added = seed_from_folios(sim, args.seed)
        print(
            f"{SIMULATOR_LABEL}: table seeded with {added['cfdi']} CFDI(s) (Vigente) and {added['csf']} "
            "CSF page(s) from " + ", ".join(map(str, args.seed)),
            file=sys.stderr,
            flush=True,
        )
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sim.start()
    urls = f"CLAIM_INTAKE_SAT_STATUS_URL={sim.status_url}\nCLAIM_INTAKE_SAT_CSF_URL={sim.csf_url}\n"
    print(
        f"{SIMULATOR_LABEL} listening on {sim.base_url}\n{urls}  CLAIM_INTAKE_SAT_CHECKS=true\nCtrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    if args.ready_file:
        tmp = args.ready_file.with_name(args.ready_file.name + ".tmp")
        tmp.write_text(urls)
        os.replace(tmp, args.ready_file)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        print(f"{SIMULATOR_LABEL} stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

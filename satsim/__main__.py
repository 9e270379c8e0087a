"""`python -m satsim [--port 8089] [--default-estado Vigente]`: run the SAT SIMULATOR for a demo."""

import argparse
import time

from .server import SIMULATOR_LABEL, SatSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=SIMULATOR_LABEL)
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--default-estado", default="Vigente",
                        help="Estado for UUIDs not in the table (Vigente, Cancelado; 'none' for 602)")
    args = parser.parse_args()
    sim = SatSimulator(port=args.port, default_estado=None if args.default_estado == "none" else args.default_estado)
    sim.start()
    print(f"{SIMULATOR_LABEL}\n  CLAIM_INTAKE_SAT_STATUS_URL={sim.status_url}\n  CLAIM_INTAKE_SAT_CSF_URL={sim.csf_url}\n"
          "  CLAIM_INTAKE_SAT_CHECKS=true\nCtrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()

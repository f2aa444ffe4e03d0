#!/usr/bin/env python3
"""Write an EA-layout Cost Management export with N rows and 60 columns (default 1,000,000).

usage: gen_ea.py OUT.csv [ROWS]   (10 subscriptions x 40 resource groups x 31 days, October 2026)
"""
import random
import sys

COLS = ("BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,"
        "BillingProfileId,BillingProfileName,AccountOwnerId,AccountName,SubscriptionId,"
        "SubscriptionName,Date,Product,PartNumber,MeterId,ServiceFamily,MeterCategory,"
        "MeterSubCategory,MeterRegion,MeterName,Quantity,EffectivePrice,Cost,UnitPrice,Currency,"
        "ResourceLocation,ConsumedService,ResourceId,ResourceName,ServiceInfo1,ServiceInfo2,"
        "AdditionalInfo,Tags,InvoiceSectionId,InvoiceSection,CostCenter,UnitOfMeasure,"
        "ResourceGroup,ReservationId,ReservationName,ProductOrderId,ProductOrderName,OfferId,"
        "IsAzureCreditEligible,Term,PublisherName,PlanName,ChargeType,Frequency,PublisherType,"
        "PayGPrice,PricingModel,AvailabilityZone,BillingCurrency,PricingCurrency,"
        "CostAllocationRuleName,ProductId,ExchangeRatePricingToBilling,"
        "ExchangeRateDate,BenefitId,BenefitName").split(",")
assert len(COLS) == 60, len(COLS)


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rnd = random.Random(42)
    subs = ["aaaaaaaa-0000-4000-8000-%012d" % i for i in range(1, 11)]
    rgs = ["rg-%02d" % i for i in range(40)]
    i_cost = COLS.index("Cost")
    i_date = COLS.index("Date")
    i_sub = COLS.index("SubscriptionId")
    i_rg = COLS.index("ResourceGroup")
    i_rid = COLS.index("ResourceId")
    base = ["8611537", "Contoso", "10/01/2026", "10/31/2026", "8611537", "Contoso",
            "alice@contoso.com", "Contoso IT", "", "Contoso Sub", "", "Virtual Machines D2s v3",
            "AAH-12345", "cd2f7f5d-a3d0-4b5a-9e5a-6a1b2c3d4e5f", "Compute", "Virtual Machines",
            "Dv3/DSv3 Series", "EU West", "D2s v3", "24", "0.096", "", "0.096", "EUR", "westeurope",
            "Microsoft.Compute", "", "vm1", "", "",
            '"{""ImageType"":""Canonical"",""VCPUs"":2}"', '"{""env"": ""prod""}"', "IS-1",
            "IT", "CC-1", "1 Hour", "", "", "", "", "", "MS-AZR-0017P", "True", "",
            "Microsoft", "", "Usage", "UsageBased", "Azure", "0.12", "OnDemand", "", "EUR",
            "EUR", "", "DZH318Z0BQPS", "1", "10/01/2026", "", ""]
    assert len(base) == 60
    with open(out, "w", newline="") as f:
        f.write(",".join(COLS) + "\r\n")
        buf = []
        for n in range(rows):
            s = subs[n % 10]
            rg = rgs[(n // 10) % 40]
            r = list(base)
            r[i_sub] = s
            r[i_rg] = rg
            r[i_date] = "10/%02d/2026" % (n % 31 + 1)
            r[i_cost] = "%.6f" % (rnd.random() * 3)
            r[i_rid] = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/vm%d" % (s, rg, n % 7)
            buf.append(",".join(r))
            if len(buf) == 10000:
                f.write("\r\n".join(buf) + "\r\n")
                buf = []
        if buf:
            f.write("\r\n".join(buf) + "\r\n")


if __name__ == "__main__":
    main()

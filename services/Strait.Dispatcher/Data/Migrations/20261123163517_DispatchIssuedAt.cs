using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.Dispatcher.Data.Migrations
{
    /// <inheritdoc />
    public partial class DispatchIssuedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "issued_at",
                schema: "dispatch",
                table: "dispatch_queue",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.CreateTable(
                name: "dispatch_withdrawals",
                schema: "dispatch",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispatch_withdrawals", x => new { x.run_id, x.attempt });
                });

            migrationBuilder.CreateIndex(
                name: "ix_dispatch_withdrawals_issued_at",
                schema: "dispatch",
                table: "dispatch_withdrawals",
                column: "issued_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dispatch_withdrawals",
                schema: "dispatch");

            migrationBuilder.DropColumn(
                name: "issued_at",
                schema: "dispatch",
                table: "dispatch_queue");
        }
    }
}
